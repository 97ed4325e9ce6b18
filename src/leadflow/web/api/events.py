"""Live events for one agent's screen, as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from leadflow.notify import LiveEvent, LiveFeed
from leadflow.services import inbox, live, scoping
from leadflow.web.deps import Reader, State, StoreDep
from leadflow.web.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["live"])

RECONNECT_MS = 3000


def live_feed(request: Request) -> LiveFeed:
    feed: LiveFeed = request.app.state.live
    return feed


async def known_agent(agent_key: str, db: StoreDep, state: State, who: Reader) -> str:
    """An agent whose stream the caller may read: integrations (API tokens), admins and
    managers any agent's; a team lead their teams' agents'; an agent only their own."""
    if not scoping.sees_everything(who):
        configuration = (await state.organisation.get(db)).configuration
        inbox.visible_agent(who, configuration, agent_key)
    if not await live.agent_exists(db, agent_key):
        raise NotFound(f"agent {agent_key!r} does not exist")
    return agent_key


def _sse(event: LiveEvent) -> ServerSentEvent:
    return ServerSentEvent(
        event=event.topic,
        id=str(event.id) if event.id is not None else None,
        data=dict(event.payload),
    )


@router.get(
    "/agents/{agent_key}/events",
    response_class=EventSourceResponse,
    summary="An agent's live events (Server-Sent Events)",
    responses={
        401: {"description": "neither a bearer token nor a signed-in session"},
        403: {"description": "the signed-in user may not watch this agent"},
        404: {"description": "no such agent"},
    },
)
async def agent_events(
    agent: Annotated[str, Depends(known_agent)],
    db: StoreDep,
    feed: Annotated[LiveFeed, Depends(live_feed)],
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterable[ServerSentEvent]:
    """Events such as `lead.assigned` and `lead.reassigned` for `agent_key`, each with an `id:`;
    a comment every 15 s keeps proxies from closing an idle stream. A reconnecting client that
    sends `Last-Event-ID` first receives what it missed (up to 100 events)."""
    async with feed.subscribe(agent) as subscription:
        yield ServerSentEvent(comment="connected", retry=RECONNECT_MS)
        sent: set[int | None] = set()
        after = live.resume_after(last_event_id)
        if after is not None:
            for event in await live.missed(db, agent, after):
                sent.add(event.id)
                yield _sse(event)
        # The stream may stay open for hours: hand the request's connection back to the pool.
        await db.commit()
        async for event in subscription:
            if event.id is None or event.id not in sent:
                yield _sse(event)
