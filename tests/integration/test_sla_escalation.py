"""A missed first-contact deadline is handled once, and after the last automatic step the lead
stays overdue (in the inbox, first, counted) instead of losing its deadline or being kept
again every SLA period."""

from __future__ import annotations

from datetime import timedelta

import httpx

from leadflow.domain.configuration import Configuration
from leadflow.services.assignment import sla
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.work import inbox
from leadflow.services.work.inbox import SlaState
from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate
from tests.integration.test_ui_inbox import ANNA, hair_lead, row_of
from tests.integration.ui import EMAILS, sign_in


def with_moves(config: Configuration, moves: int) -> Configuration:
    first = config.pipelines[0]
    pipeline = first.model_copy(
        update={"sla": first.sla.model_copy(update={"max_reassignments": moves})}
    )
    return config.model_copy(update={"pipelines": [pipeline]})


async def post(client: httpx.AsyncClient, **fields: object) -> int:
    response = await client.post("/api/v1/leads", json=lead_body(**fields))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def sla_steps(client: httpx.AsyncClient, lead_id: int) -> list[dict]:
    history = (await client.get(f"/api/v1/leads/{lead_id}/decision")).json()["history"]
    return [step for step in history if step["kind"] == "sla"]


async def test_a_lead_nobody_else_can_take_is_kept_once_per_deadline_up_to_the_limit(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, with_moves(factories.organisation([agent("anna")]), 2))
    lead_id = await post(client)
    org = await LiveOrganisation().get(store)
    for period in range(1, 21):  # 20 SLA periods of 15 minutes, nobody calls
        await sla.enforce(store, org, clock.now + timedelta(minutes=16 * period))
        await store.commit()
    steps = await sla_steps(client, lead_id)
    assert [step["outcome"] for step in steps] == ["kept", "kept", "kept"]
    assert "no more automatic moves" in steps[-1]["reason"]
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.session.refresh(lead)
    assert (lead.sla_misses, lead.owner_agent_key) == (3, "anna")
    assert lead.sla_due_at is not None
    assert lead.sla_escalated_at is not None
    assert lead.sla_due_at < lead.sla_escalated_at  # the deadline it missed, kept
    alerts = [m for m in await store.outbox.listing() if m.topic == "sla.breached"]
    assert len(alerts) == 3  # one per missed deadline


async def test_a_lead_the_team_lead_took_over_stays_overdue_and_first_in_the_inbox(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await activate(store, with_moves(factories.organisation([agent("anna")]), 0))
    missed = await post(client, email="missed@example.org", phone=None)
    clock.now += timedelta(minutes=16)
    org = await LiveOrganisation().get(store)
    enforced = await sla.enforce(store, org, clock.now)
    await store.commit()
    assert enforced.kept == 1
    clock.now += timedelta(minutes=1)
    fresh = await post(client, email="fresh@example.org", phone=None)
    lines = await inbox.open_leads(store, org, "anna", clock.now + timedelta(hours=2))
    assert [line.lead.id for line in lines] == [missed, fresh]
    assert [line.sla.state for line in lines] == [SlaState.OVERDUE, SlaState.OVERDUE]
    assert all(line.sla.waiting for line in lines)
    assert (await sla.enforce(store, org, clock.now + timedelta(hours=2))).kept == 1  # fresh only


async def test_the_inbox_counts_and_highlights_a_lead_the_team_lead_took_over(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    taken = await hair_lead(store, clock, owner=ANNA, name="Taken", due_in=timedelta(hours=-3))
    lead = await store.leads.get(taken)
    assert lead is not None
    lead.sla_escalated_at = clock.now - timedelta(hours=2)
    await store.commit()
    soon = await hair_lead(store, clock, owner=ANNA, name="Soon", due_in=timedelta(minutes=7))
    await sign_in(web, EMAILS["agent"])
    page = (await web.get("/inbox")).text
    assert '<p class="figure" data-waiting>2</p>' in page
    assert row_of(page, taken).startswith(
        f'<tr id="lead-{taken}" data-lead="{taken}" class="overdue">'
    )
    assert 'class="overdue"' not in row_of(page, soon)
    assert page.index(f'id="lead-{taken}"') < page.index(f'id="lead-{soon}"')
