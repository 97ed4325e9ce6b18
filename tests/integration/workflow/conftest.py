"""A clinic whose pipeline has the sales workflow's stages, required fields and the default
automations of the demo (issue 16), plus an English pipeline without an offer stage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest_asyncio

from leadflow.domain.configuration import Configuration
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead
from tests import factories
from tests.integration.conftest import activate

STAGES: list[Any] = [
    "new",
    "contacted",
    {"key": "qualified", "requires": ["treatment", "budget_range", "travel_month"]},
    "offer_sent",
    "booked",
    "won",
    "lost",
]
AUTOMATIONS: list[dict[str, Any]] = [
    {
        "key": "first-call",
        "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
        "when": {"field": "stage", "op": "equals", "value": "new"},
        "do": [{"do": "move_to_stage", "stage": "contacted"}],
    },
    {
        "key": "offer",
        "trigger": {"event": "activity_logged", "note_type": "offer"},
        "do": [{"do": "move_to_stage", "stage": "offer_sent"}],
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
        "key": "idle",
        "trigger": {"event": "no_activity", "working_hours": 16},
        "do": [
            {"do": "create_task", "title": "Call again", "due_in_working_minutes": 30},
            {"do": "notify", "who": "team_lead", "message": "Lead idle for 2 working days"},
        ],
    },
    {
        "key": "qualify",
        "trigger": {"event": "activity_logged", "kind": "note", "note_type": "qualify"},
        "do": [
            {"do": "set_field", "field": "travel_month", "value": "2026-09"},
            {"do": "move_to_stage", "stage": "qualified"},
        ],
    },
]


def workflow_organisation(**extra: Any) -> Configuration:
    document = factories.organisation().model_dump(mode="json", exclude_defaults=True)
    german = document["pipelines"][0]
    german["stages"] = STAGES
    german["business_hours"] = factories.WEEKDAYS_9_TO_18
    english = {
        **german,
        "key": "hair-en",
        "name": "Hair transplant — English",
        "stages": ["new", "contacted", "won", "lost"],
    }
    document["pipelines"] = [german, english]
    document["rules"] = [
        {
            "key": "british",
            "priority": 10,
            "when": {"field": "country", "op": "equals", "value": "GB"},
            "pipeline": "hair-en",
        },
        *document["rules"],
    ]
    document["fields"] = [
        {"key": "budget_range", "type": "choice", "choices": ["low", "mid", "high"]},
        {"key": "travel_month", "type": "month"},
    ]
    document["automations"] = AUTOMATIONS
    document.update(extra)
    return Configuration.model_validate(document)


@pytest_asyncio.fixture
async def workflow(store: Store) -> Configuration:
    config = workflow_organisation()
    await activate(store, config)
    return config


async def new_lead(client: httpx.AsyncClient, **fields: Any) -> int:
    response = await client.post("/api/v1/leads", json=factories.lead_body(**fields))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def fresh(store: Store, lead_id: int) -> Lead:
    """The lead as committed by the requests since it was last read."""
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.refresh(lead)
    return lead
