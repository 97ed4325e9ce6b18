"""Decisions, "why not me?", manual reassignment and simulation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from leadflow.services import decisions, simulation
from leadflow.services.configuration import validate
from leadflow.services.intake import LeadSubmission
from leadflow.web.deps import Caller, Now, State, StoreDep

router = APIRouter(prefix="/api/v1", tags=["routing"])


class DecisionOut(BaseModel):
    lead_id: int
    owner: str | None
    routing_status: str
    trace: dict[str, Any] | None = Field(description="the latest engine decision, step by step")
    history: list[dict[str, Any]] = Field(description="every decision and change, oldest first")
    why_not: str | None = Field(default=None, description="answer for ?agent=KEY")


@router.get(
    "/leads/{lead_id}/decision",
    response_model=DecisionOut,
    summary="Why the lead went where it went",
)
async def lead_decision(
    lead_id: int, db: StoreDep, state: State, _: Caller, agent: str | None = None
) -> DecisionOut:
    """The decision trace; with `?agent=KEY`, also why that agent did not get the lead."""
    found = await decisions.decisions_of(db, lead_id)
    answer = None
    if agent is not None:
        answer = await decisions.answer_why_not(db, state.organisation, lead_id, agent)
    return DecisionOut(
        lead_id=lead_id,
        owner=found.lead.owner_agent_key,
        routing_status=found.lead.routing_status,
        trace=found.routing.trace if found.routing else None,
        history=decisions.history_view(found),
        why_not=answer,
    )


class ReassignIn(BaseModel):
    agent: str = Field(description="key of the new owner")
    reason: str = Field(min_length=3, max_length=500)
    actor: str | None = Field(default=None, description="who decided (default: the API token)")


@router.post("/leads/{lead_id}/reassign", summary="Give a lead to another agent")
async def reassign_lead(
    lead_id: int, body: ReassignIn, db: StoreDep, state: State, now: Now, caller: Caller
) -> dict[str, Any]:
    organisation = await state.organisation.get(db)
    decision_id = await decisions.reassign(
        db,
        organisation,
        lead_id,
        agent=body.agent,
        actor=body.actor or f"token:{caller}",
        reason=body.reason,
        now=now,
    )
    await db.commit()
    return {"lead_id": lead_id, "owner": body.agent, "decision_id": decision_id}


class SimulateIn(BaseModel):
    lead: LeadSubmission
    at: datetime | None = Field(default=None, description="moment to route at (default now)")
    configuration: dict[str, Any] | None = Field(
        default=None, description="a draft configuration document; default the live one"
    )


@router.post("/simulate", summary="Route one lead without side effects")
async def simulate(
    body: SimulateIn, db: StoreDep, state: State, now: Now, _: Caller
) -> dict[str, Any]:
    """Nothing is stored and no counter moves: the answer is what would happen."""
    draft = validate(body.configuration) if body.configuration is not None else None
    decision = await simulation.simulate_lead(
        db,
        state.organisation,
        body.lead,
        at=body.at or now,
        draft=draft,
        threshold=state.settings.language_confidence,
    )
    return {"decision": decision.to_trace(), "explanation": decision.explain()}
