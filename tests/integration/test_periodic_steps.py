"""The periodic routing passes as the worker runs them (`timekeeping`): planned in one
transaction, then a transaction per step of `STEP` leads. A pass over more leads than a step
handles every one of them, and the agents' open counts stay right across the steps.

These tests commit for real, so they use their own database, emptied after each test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from leadflow.domain.configuration import Configuration
from leadflow.services.assignment import timekeeping
from leadflow.services.assignment.assign import STEP
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.conftest import arrive

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Berlin
LEADS = 2 * STEP + 3
"""Three steps: two full ones and a short one."""


async def apply(database: Database, document: Configuration) -> None:
    async with open_store(database) as store:
        await configuration.apply(store, document, actor="test")
        await store.commit()


async def owners(database: Database) -> dict[int, tuple[str | None, str | None]]:
    """Each lead's owner and the agent it is held for."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, owner_agent_key, held_for_agent_key FROM leads")
        )
        return {lead_id: (owner, held) for lead_id, owner, held in rows}


async def open_counts(database: Database) -> dict[str, int]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT key, open_leads FROM agents"))
        return {key: open_ for key, open_ in rows}


def german_to(agent: dict[str, Any], other: dict[str, Any]) -> Configuration:
    """Every (German) lead goes to `agent`: `other` speaks only Turkish."""
    return factories.organisation([agent, {**other, "languages": ["tr"]}])


async def test_an_sla_check_in_steps_moves_every_lead_past_its_deadline(
    committed: Database,
) -> None:
    database = committed
    await apply(database, factories.organisation([factories.agent("anna"), factories.agent("ben")]))
    live = LiveOrganisation()
    await arrive(database, live, LEADS, at=NOW, prefix="lead")
    before = await owners(database)

    _, enforced = await timekeeping.enforce_sla(database, live, NOW + timedelta(hours=2))

    assert (enforced.reassigned, enforced.kept) == (LEADS, 0)
    after = await owners(database)
    assert all(after[lead][0] not in (None, before[lead][0]) for lead in before)
    counts = await open_counts(database)
    assert counts == {
        agent: sum(1 for owner, _ in after.values() if owner == agent) for agent in counts
    }


async def test_leave_in_steps_hands_every_lead_to_the_backup_and_back(committed: Database) -> None:
    database = committed
    leave = {"start": "2026-05-13", "end": "2026-05-14", "type": "annual"}
    anna = factories.agent(
        "anna", backup="ben", schedule={"weekly": factories.ALWAYS, "leave": [leave]}
    )
    await apply(database, german_to(anna, factories.agent("ben")))
    live = LiveOrganisation()
    await arrive(database, live, LEADS, at=NOW, prefix="lead")

    on_leave = await timekeeping.staff_changes(database, live, datetime(2026, 5, 13, 8, tzinfo=UTC))
    assert (on_leave.held, on_leave.rerouted, on_leave.queued) == (LEADS, 0, 0)
    assert set((await owners(database)).values()) == {("ben", "anna")}
    assert await open_counts(database) == {"anna": 0, "ben": LEADS}

    back = await timekeeping.staff_changes(database, live, datetime(2026, 5, 15, 8, tzinfo=UTC))
    assert back.returned == LEADS
    assert set((await owners(database)).values()) == {("anna", None)}
    assert await open_counts(database) == {"anna": LEADS, "ben": 0}


async def test_an_agent_leaving_has_every_open_lead_routed_again_in_steps(
    committed: Database,
) -> None:
    database = committed
    anna, ben = factories.agent("anna"), factories.agent("ben")
    await apply(database, german_to(anna, ben))
    live = LiveOrganisation()
    await arrive(database, live, LEADS, at=NOW, prefix="lead")
    await apply(database, factories.organisation([{**anna, "status": "left"}, ben]))

    report = await timekeeping.staff_changes(database, live, NOW + timedelta(minutes=5))

    assert (report.rerouted, report.held, report.queued) == (LEADS, 0, 0)
    assert set((await owners(database)).values()) == {("ben", None)}
    assert await open_counts(database) == {"anna": 0, "ben": LEADS}
