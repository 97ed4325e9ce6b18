"""Live events for one agent's screen, as Server-Sent Events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from leadflow.notify import LiveEvent, LiveFeed, Subscription
from leadflow.services.access import scoping
from leadflow.services.delivery import live
from leadflow.services.work import inbox
from leadflow.web.deps import Reader, State, StoreDep
from leadflow.web.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["live"])

RECONNECT_MS = 3000
DEFAULT_LIFETIME_S = 300
MAX_LIFETIME_S = 3600


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


async def _until(deadline: float, subscription: Subscription) -> AsyncIterator[LiveEvent]:
    """The subscription's events until `deadline` (the event loop's monotonic clock)."""
    loop = asyncio.get_running_loop()
    while (left := deadline - loop.time()) > 0:
        try:
            yield await asyncio.wait_for(subscription.get(), left)
        except TimeoutError:
            return


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
    max_seconds: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_LIFETIME_S,
            description="how long the stream stays open before the server ends it (seconds)",
        ),
    ] = DEFAULT_LIFETIME_S,
) -> AsyncIterable[ServerSentEvent]:
    """Events such as `lead.assigned` and `lead.reassigned` for `agent_key`, each with an `id:`;
    a comment every 15 s keeps proxies from closing an idle stream. A reconnecting client that
    sends `Last-Event-ID` first receives what it missed (up to 100 events).

    The stream ends by itself after `max_seconds` (default 300, at most 3600) with the comment
    `closing: reconnect to go on`: no client holds a connection forever. A browser's
    EventSource reconnects after the `retry:` delay (3 s) and, sending `Last-Event-ID`, misses
    nothing."""
    deadline = asyncio.get_running_loop().time() + max_seconds
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
        async for event in _until(deadline, subscription):
            if event.id is None or event.id not in sent:
                yield _sse(event)
        yield ServerSentEvent(comment="closing: reconnect to go on", retry=RECONNECT_MS)
