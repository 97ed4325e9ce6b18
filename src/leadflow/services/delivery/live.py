"""Each agent's live event stream: what arrives while it is open, and what it missed."""

from __future__ import annotations

from leadflow.notify import LiveEvent, PostgresLiveHub
from leadflow.storage.database import Database
from leadflow.storage.embedded import libpq_url
from leadflow.storage.store import Store

CATCH_UP_LIMIT = 100


def hub(database: Database) -> PostgresLiveHub:
    """The process's live hub on `database` (it connects on the first subscription)."""
    return PostgresLiveHub(libpq_url(database.url))


async def agent_exists(store: Store, agent: str) -> bool:
    return await store.roster.agent(agent) is not None


def resume_after(last_event_id: str | None) -> int | None:
    """The event id a reconnecting stream resumes after (its Last-Event-ID header)."""
    if last_event_id is None or not last_event_id.strip().isdigit():
        return None
    return int(last_event_id)


async def missed(store: Store, agent: str, after: int) -> list[LiveEvent]:
    """Live events of `agent` written after event `after`, oldest first (at most 100)."""
    rows = await store.deliveries.live_events(agent, after, CATCH_UP_LIMIT)
    return [LiveEvent(agent=agent, topic=r.topic, payload=r.payload, id=r.id) for r in rows]
