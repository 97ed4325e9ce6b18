"""Work on leads over time: activities (first contact), the queue, who is on shift."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter

from leadflow.services import activities, queue, rota
from leadflow.services.activities import ActivityIn
from leadflow.web.deps import Caller, Now, State, StoreDep
from leadflow.web.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["work"])


@router.post(
    "/leads/{lead_id}/activities",
    status_code=201,
    summary="Record a call attempt, call, message, e-mail or note",
)
async def add_activity(
    lead_id: int, body: ActivityIn, db: StoreDep, now: Now, _: Caller
) -> dict[str, Any]:
    """A call attempt, call, message or e-mail is a contact: the first one stops the SLA clock."""
    recorded = await activities.record(db, lead_id, body, now=now)
    await db.commit()
    return recorded


@router.get("/leads/{lead_id}/activities", summary="The lead's activities, oldest first")
async def list_activities(lead_id: int, db: StoreDep, _: Caller) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "kind": a.kind,
            "agent": a.agent_key,
            "occurred_at": a.occurred_at.isoformat(),
            "direction": a.direction,
            "duration_s": a.duration_s,
            "outcome": a.outcome,
            "detail": a.detail,
        }
        for a in await db.leads.activities_of(lead_id)
    ]


@router.get("/queue", summary="Leads waiting for an eligible agent, with their age")
async def waiting(db: StoreDep, now: Now, _: Caller) -> list[dict[str, Any]]:
    return [asdict(item) for item in await queue.waiting(db, now)]


@router.get("/roster", summary="Who is on shift now (or at `at`), who is on leave this week")
async def roster(
    db: StoreDep,
    state: State,
    now: Now,
    _: Caller,
    at: datetime | None = None,
    team: str | None = None,
) -> list[dict[str, Any]]:
    organisation = await state.organisation.get(db)
    return [asdict(agent) for agent in rota.rota(organisation, at or now, team=team)]


@router.get("/agents/{agent_key}/availability", summary="An agent's availability and next shift")
async def agent_availability(
    agent_key: str, db: StoreDep, state: State, now: Now, _: Caller, at: datetime | None = None
) -> dict[str, Any]:
    organisation = await state.organisation.get(db)
    found = [a for a in rota.rota(organisation, at or now) if a.key == agent_key]
    if not found:
        raise NotFound(f"agent {agent_key!r} is not in the active configuration")
    return asdict(found[0])
