"""Leads that arrive before any configuration is active are kept, not refused: stored
unrouted, counted as waiting, and routed by the first queue pass once one is applied."""

from __future__ import annotations

import httpx

from leadflow.services.assignment import queue
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.store import Store
from tests import factories
from tests.factories import lead_body
from tests.integration.conftest import Clock, activate


async def test_a_lead_before_any_configuration_is_kept_and_routed_once_one_is_active(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    answer = await client.post("/api/v1/leads", json=lead_body())
    assert answer.status_code == 201, answer.text
    kept = answer.json()
    assert (kept["routing_status"], kept["assignment"]) == ("unrouted", None)
    waiting = await queue.waiting(store, clock.now, everything=True)
    assert [item.lead_id for item in waiting.leads] == [kept["id"]]

    await activate(store, factories.organisation())
    released = await queue.release(store, await LiveOrganisation().get(store), clock.now)
    await store.commit()
    assert released.assigned == 1
    routed = (await client.get(f"/api/v1/leads/{kept['id']}")).json()
    assert routed["routing_status"] == "assigned"
    assert routed["owner"] in ("anna", "ben")
    history = (await client.get(f"/api/v1/leads/{kept['id']}/decision")).json()["history"]
    assert (history[0]["kind"], history[0]["agent"]) == ("initial", routed["owner"])


async def test_the_queue_lists_the_kept_leads_and_says_no_configuration_is_active(
    client: httpx.AsyncClient, store: Store
) -> None:
    empty = await client.get("/api/v1/queue")
    assert empty.status_code == 200, empty.text
    assert (empty.json(), empty.headers["X-Total-Count"]) == ([], "0")
    assert empty.headers["X-Configuration-Version"] == "none"

    kept = (await client.post("/api/v1/leads", json=lead_body())).json()
    answer = await client.get("/api/v1/queue")
    assert answer.status_code == 200, answer.text
    assert [(row["lead_id"], row["routing_status"]) for row in answer.json()] == [
        (kept["id"], "unrouted")
    ]
    assert answer.headers["X-Configuration-Version"] == "none"

    version = await activate(store, factories.organisation())
    assert (await client.get("/api/v1/queue")).headers["X-Configuration-Version"] == str(version)
