"""Live events reach every open stream of their agent in this process, and only those."""

from __future__ import annotations

import asyncio

from leadflow.notify import LiveEvent, Subscription
from leadflow.notify.memory import MemoryLiveHub


async def test_an_event_reaches_every_stream_of_its_agent_only() -> None:
    hub = MemoryLiveHub()
    async with (
        hub.subscribe("anna") as desk,
        hub.subscribe("anna") as phone,
        hub.subscribe("ben") as other,
    ):
        await hub.publish(LiveEvent(agent="anna", topic="lead.assigned", payload={"lead_id": 1}))
        assert (await desk.get()).payload == {"lead_id": 1}
        assert (await phone.get()).payload == {"lead_id": 1}
        assert len(other) == 0


async def test_a_closed_stream_receives_nothing_more() -> None:
    hub = MemoryLiveHub()
    async with hub.subscribe("anna"):
        pass
    assert len(hub.fanout) == 0
    await hub.publish(LiveEvent(agent="anna", topic="lead.assigned"))


async def test_a_stalled_reader_keeps_the_newest_events() -> None:
    stream = Subscription("anna", capacity=3)
    for number in range(5):
        stream.put(LiveEvent(agent="anna", topic="lead.assigned", id=number))
    received = [(await asyncio.wait_for(stream.get(), 1)).id for _ in range(3)]
    assert received == [2, 3, 4]


def test_events_travel_as_json() -> None:
    event = LiveEvent(agent="anna", topic="lead.assigned", payload={"lead_id": 7}, id=12)
    assert LiveEvent.from_json(event.to_json()) == event
