"""The demo month, loaded as `leadflow demo` loads it: its leads, their sales history, closings
and counters agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from leadflow.demo import organisation_yaml, samples
from leadflow.services import demo
from leadflow.services.configuration.versions import parse_yaml
from tests.integration.conftest import emptied_afterwards

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
WITH_DATA = pytest.mark.skipif(
    not (samples.DATA / samples.CALLS_FILE).exists()
    or not (samples.DATA / samples.PIPELINE_FILE).exists(),
    reason=f"{samples.DATA} is absent (../shared/data): the demo loads no sales history",
)
CONFIGURATION = parse_yaml(organisation_yaml(), "organisation.yaml")
PIPELINE = CONFIGURATION.pipelines[0]
CLOSING = tuple(stage.key for stage in PIPELINE.stages if stage.closes)


@dataclass(frozen=True)
class Month:
    """What the loaded demo month holds, read once for the module's tests."""

    values: dict[str, Any]
    stages: dict[str, int]
    lost_reasons: set[str]
    talk_times: set[int]
    automated: set[tuple[str, int | None]]
    active_version: int


async def _one(connection: AsyncConnection, sql: str) -> Any:
    return (await connection.execute(text(sql))).scalar_one()


CHECKS = {
    "activities": "SELECT count(*) FROM activities",
    "tasks": "SELECT count(*) FROM tasks",
    "open_overdue": f"SELECT count(*) FROM tasks WHERE status = 'open' AND due_at < '{NOW}'",
    "done_tasks": "SELECT count(*) FROM tasks WHERE status = 'done'",
    "closed_without_its_change": (
        "SELECT count(*) FROM leads l WHERE l.closed_at IS NOT NULL AND NOT EXISTS ("
        " SELECT 1 FROM activities a WHERE a.lead_id = l.id AND a.kind = 'stage_change'"
        " AND a.to_stage = l.stage_key AND a.occurred_at = l.closed_at)"
    ),
    "closing_stage_without_closed_at": (
        f"SELECT count(*) FROM leads WHERE stage_key IN {CLOSING} AND closed_at IS NULL"
    ),
    "outside_the_lead_life": (
        "SELECT count(*) FROM activities a JOIN leads l ON l.id = a.lead_id"
        f" WHERE a.occurred_at < l.received_at OR a.occurred_at > '{NOW}'"
    ),
    "tasks_after_now": f"SELECT count(*) FROM tasks WHERE created_at > '{NOW}'",
    "csat": "SELECT count(*) FROM activities WHERE kind = 'csat'",
    "csat_not_rating_own_call": (
        "SELECT count(*) FROM activities c LEFT JOIN activities r ON r.id = c.rates_activity_id"
        " WHERE c.kind = 'csat'"
        " AND (r.id IS NULL OR r.kind <> 'call' OR r.lead_id <> c.lead_id"
        " OR c.occurred_at < r.ended_at)"
    ),
    "stage_not_its_last_change": (
        "SELECT count(*) FROM leads l JOIN LATERAL (SELECT to_stage FROM activities a"
        " WHERE a.lead_id = l.id AND a.kind = 'stage_change'"
        " ORDER BY occurred_at DESC, id DESC LIMIT 1) last ON true"
        " WHERE last.to_stage <> l.stage_key"
    ),
    "last_activity_wrong": (
        "SELECT count(*) FROM leads l JOIN (SELECT lead_id, max(occurred_at) AS latest"
        " FROM activities GROUP BY lead_id) a ON a.lead_id = l.id"
        " WHERE l.last_activity_at IS DISTINCT FROM a.latest"
    ),
    "open_count_drift": (
        "SELECT count(*) FROM (SELECT a.key FROM agents a"
        " LEFT JOIN leads l ON l.owner_agent_key = a.key AND l.closed_at IS NULL"
        " GROUP BY a.key, a.open_leads HAVING a.open_leads <> count(l.id)) drift"
    ),
    "automated_change_without_its_run": (
        "SELECT count(*) FROM activities a WHERE a.actor_kind = 'automation' AND NOT EXISTS ("
        " SELECT 1 FROM automation_runs r WHERE r.lead_id = a.lead_id"
        " AND r.automation_key = a.rule_key AND r.ran_at = a.occurred_at)"
    ),
    "booked_without_price": (
        "SELECT count(*) FROM leads WHERE stage_key IN ('booked', 'won')"
        " AND (custom->>'price' IS NULL OR custom->>'booking_date' IS NULL)"
    ),
}


@pytest_asyncio.fixture(scope="module")
async def month(database_url: str) -> AsyncIterator[Month]:
    async with emptied_afterwards(database_url, pool_size=2) as database:
        await demo.load(database_url, days=6, now=NOW, per_day=40)
        async with database.engine.connect() as connection:
            yield Month(
                values={name: await _one(connection, sql) for name, sql in CHECKS.items()},
                stages=dict(
                    (
                        await connection.execute(
                            text("SELECT stage_key, count(*) FROM leads GROUP BY stage_key")
                        )
                    ).all()
                ),
                lost_reasons=set(
                    (
                        await connection.execute(
                            text("SELECT DISTINCT lost_reason FROM leads WHERE stage_key = 'lost'")
                        )
                    ).scalars()
                ),
                talk_times=set(
                    (
                        await connection.execute(
                            text("SELECT DISTINCT talk_s FROM activities WHERE kind = 'call'")
                        )
                    ).scalars()
                ),
                automated={
                    (row[0], row[1])
                    for row in await connection.execute(
                        text(
                            "SELECT DISTINCT rule_key, config_version_id FROM activities"
                            " WHERE actor_kind = 'automation'"
                        )
                    )
                },
                active_version=await _one(
                    connection, "SELECT id FROM config_versions WHERE is_active"
                ),
            )


async def test_every_agents_open_count_matches_its_open_leads(month: Month) -> None:
    assert month.values["open_count_drift"] == 0


@WITH_DATA
async def test_the_month_has_won_and_lost_leads_with_the_pipelines_lost_reasons(
    month: Month,
) -> None:
    assert month.stages.get("won", 0) > 0
    assert month.stages.get("lost", 0) > 0
    assert month.lost_reasons
    assert None not in month.lost_reasons
    assert month.lost_reasons <= {reason.key for reason in PIPELINE.lost_reasons}


@WITH_DATA
async def test_every_closed_lead_has_closed_at_and_the_stage_change_that_closed_it(
    month: Month,
) -> None:
    assert month.values["closing_stage_without_closed_at"] == 0
    assert month.values["closed_without_its_change"] == 0


@WITH_DATA
async def test_a_leads_stage_and_last_activity_follow_its_activities(month: Month) -> None:
    assert month.values["stage_not_its_last_change"] == 0
    assert month.values["last_activity_wrong"] == 0
    assert month.values["booked_without_price"] == 0


@WITH_DATA
async def test_no_activity_before_its_lead_arrived_or_after_now(month: Month) -> None:
    assert month.values["activities"] > 0
    assert month.values["outside_the_lead_life"] == 0
    assert month.values["tasks_after_now"] == 0


@WITH_DATA
async def test_call_talk_times_are_talk_times_of_the_real_call_log(month: Month) -> None:
    real = {call.talk_s for call in samples.read().served}
    assert month.talk_times
    assert month.talk_times <= real


@WITH_DATA
async def test_csat_answers_rate_an_earlier_call_of_the_same_lead(month: Month) -> None:
    assert month.values["csat"] > 0
    assert month.values["csat_not_rating_own_call"] == 0


@WITH_DATA
async def test_automated_changes_name_a_configured_rule_and_the_active_version(
    month: Month,
) -> None:
    rules = {automation.key for automation in CONFIGURATION.automations}
    assert month.automated
    assert {rule for rule, _ in month.automated} <= rules
    assert {version for _, version in month.automated} == {month.active_version}
    assert month.values["automated_change_without_its_run"] == 0


@WITH_DATA
async def test_tasks_are_done_open_and_a_few_overdue(month: Month) -> None:
    assert month.values["done_tasks"] > 0
    assert 0 < month.values["open_overdue"] < month.values["tasks"] / 4
