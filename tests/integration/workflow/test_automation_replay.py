"""`leadflow automation replay`: past leads through the automation rules (live or a draft),
counted per rule with a sample, and nothing written."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from typer.testing import CliRunner

from leadflow.cli import app
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.workflow.replay import replay_automations
from leadflow.storage.store import Store, open_store
from tests import factories
from tests.integration.conftest import Clock, activate, emptied_afterwards

RULES: list[dict[str, Any]] = [
    {
        "key": "first-answered-call",
        "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
        "when": {"field": "stage", "op": "equals", "value": "new"},
        "do": [{"do": "move_to_stage", "stage": "contacted"}],
    },
    {
        "key": "unreachable",
        "trigger": {"event": "failed_attempts", "count": 6, "within_days": 3},
        "do": [
            {"do": "move_to_stage", "stage": "lost", "lost_reason": "unreachable"},
            {"do": "create_task", "title": "Last follow-up", "due_in_working_minutes": 60},
        ],
    },
    {
        "key": "qualify-needs-fields",
        "trigger": {"event": "activity_logged", "kind": "note", "note_type": "qualified"},
        "do": [{"do": "move_to_stage", "stage": "qualified"}],
    },
]


def config_with(rules: list[dict[str, Any]]) -> Any:
    base = factories.organisation().model_dump(mode="json", exclude_defaults=True)
    base["fields"] = [{"key": "travel_month", "type": "month"}]
    base["pipelines"][0]["stages"] = [
        "new", "contacted", {"key": "qualified", "requires": ["travel_month"]}, "won", "lost",
    ]  # fmt: skip
    base["automations"] = rules
    return base


async def lead(client: httpx.AsyncClient, phone: str) -> int:
    response = await client.post("/api/v1/leads", json=factories.lead_body(phone=phone))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def activity(store: Store, lead_id: int, clock: Clock, minutes: int, **values: Any) -> None:
    await store.leads.add_activity(
        {"lead_id": lead_id, "occurred_at": clock.now + timedelta(minutes=minutes), **values}
    )


async def test_the_replay_counts_each_rule_and_changes_nothing(
    store: Store, client: httpx.AsyncClient, clock: Clock
) -> None:
    from leadflow.domain.configuration import Configuration

    await activate(store, Configuration.model_validate(config_with(RULES)))
    answered, unreachable, noted = [await lead(client, f"+49 151 2345{n:04d}") for n in range(3)]
    await activity(store, answered, clock, 5, kind="call", outcome="no_answer")
    await activity(store, answered, clock, 30, kind="call", outcome="answered", talk_s=240)
    for i in range(6):
        await activity(store, unreachable, clock, 60 * (i + 1), kind="call", outcome="busy")
    await activity(store, noted, clock, 10, kind="note", detail={"type": "qualified"})
    await store.session.flush()

    result = await replay_automations(
        store,
        LiveOrganisation(),
        start=clock.now - timedelta(days=1),
        end=clock.now + timedelta(days=1),
    )

    assert result.leads == 3
    fired = {key: (count.fired, count.failed) for key, count in result.rules.items()}
    # The first answered call moves `answered` and nothing else; the sixth failed call loses
    # `unreachable`; `noted` cannot enter `qualified` without a travel month: a failure.
    assert fired == {
        "first-answered-call": (1, 0),
        "unreachable": (1, 0),
        "qualify-needs-fields": (1, 1),
    }
    assert dict(result.moves) == {"contacted": 1, "lost": 1}
    failure = next(s for s in result.samples if s.automation == "qualify-needs-fields")
    assert failure.failure == "stage qualified needs travel_month"
    assert failure.lead_id == noted
    stored = {i: (await store.leads.get(i)) for i in (answered, unreachable, noted)}
    assert {lead.stage_key for lead in stored.values() if lead is not None} == {"new"}


async def test_a_draft_is_replayed_instead_of_the_live_rules(
    store: Store, client: httpx.AsyncClient, clock: Clock
) -> None:
    from leadflow.domain.configuration import Configuration

    await activate(store, Configuration.model_validate(config_with(RULES[:1])))
    lead_id = await lead(client, "+49 151 23450001")
    await activity(store, lead_id, clock, 5, kind="call", outcome="answered")
    await store.session.flush()
    draft = Configuration.model_validate(config_with([]))
    period = {"start": clock.now - timedelta(days=1), "end": clock.now + timedelta(days=1)}

    live = await replay_automations(store, LiveOrganisation(), **period)
    drafted = await replay_automations(store, LiveOrganisation(), draft=draft, **period)

    assert live.rules["first-answered-call"].fired == 1
    assert (drafted.version, drafted.rules, drafted.leads) == (None, {}, 1)


async def test_the_command_prints_its_tables_and_names_a_bad_draft(
    database_url: str, tmp_path: Path
) -> None:
    from leadflow.domain.configuration import Configuration

    async with emptied_afterwards(database_url, pool_size=2) as database:
        async with open_store(database) as opened:
            version = await activate(opened, Configuration.model_validate(config_with(RULES)))
        runner = CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200"})
        args = ["automation", "replay", "--from", "2026-05-01", "--to", "2026-05-31"]

        result = await asyncio.to_thread(runner.invoke, app, args)
        assert result.exit_code == 0, result.output
        assert f"0 leads, 0 events, rules of version {version}" in result.output
        assert "unreachable" in result.output

        draft = tmp_path / "draft.yaml"
        broken = config_with([{**RULES[0], "do": [{"do": "move_to_stage", "stage": "nowhere"}]}])
        draft.write_text(yaml.safe_dump(broken))
        refused = await asyncio.to_thread(runner.invoke, app, [*args, "--config", str(draft)])
        assert refused.exit_code == 1
        assert "'nowhere' is not a stage of the pipelines it acts on" in refused.output
