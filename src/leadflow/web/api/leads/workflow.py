"""The sales workflow's endpoints: a lead's stage moves and its activities (the full model)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain.configuration.base import Key
from leadflow.domain.storable import StorableText
from leadflow.services.access import scoping
from leadflow.services.work import lead_access
from leadflow.services.workflow import activities, stages
from leadflow.services.workflow.activities import ActivityIn, actor_of
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import LeadWorker, Now, OrgDep, State, StoreDep
from leadflow.web.params import LeadId

router = APIRouter(
    prefix="/api/v1", tags=["workflow"], responses={**UNAUTHENTICATED, **NOT_FOUND, **UNREADABLE}
)

FieldValue = Annotated[StorableText, Field(max_length=1000)] | int | float | bool | None


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Key
    lost_reason: Key | None = Field(
        default=None, description="needed for a lost stage: one of the pipeline's lost reasons"
    )
    fields: dict[Key, FieldValue] = Field(
        default_factory=dict,
        max_length=50,
        description="fields set before the move (e.g. those the stage requires); null clears one",
    )


class StageOut(BaseModel):
    lead_id: int
    stage: str | None
    from_stage: str | None
    stage_entered_at: datetime | None
    lost_reason: str | None
    closed: bool
    changed: bool = Field(description="false when the lead was in the stage already")


@router.post(
    "/leads/{lead_id}/stage",
    summary="Move a lead to a stage of its pipeline",
    responses={
        422: {
            "description": "the move is not allowed: each problem named (`stage` unknown, "
            "`lost_reason` missing or unknown, `fields.<name>` required by the stage or invalid)"
        },
    },
)
async def move_stage(
    lead_id: LeadId,
    body: StageIn,
    db: StoreDep,
    organisation: OrgDep,
    now: Now,
    who: LeadWorker,
) -> StageOut:
    """Won and lost close the lead (freeing a place under its owner's open-leads cap); an open
    stage reopens a closed lead. The move is recorded as a `stage_change` activity and fires
    the automations that listen for the stage."""
    moved = await stages.move(
        db,
        organisation,
        lead_id,
        body.stage,
        lost_reason=body.lost_reason,
        fields=body.fields,
        actor=actor_of(who),
        now=now,
    )
    await db.commit()
    lead = moved.lead
    return StageOut(
        lead_id=lead.id,
        stage=lead.stage_key,
        from_stage=moved.from_stage,
        stage_entered_at=lead.stage_entered_at,
        lost_reason=lead.lost_reason,
        closed=lead.closed_at is not None,
        changed=moved.activity is not None,
    )


@router.post(
    "/leads/{lead_id}/activities",
    status_code=201,
    summary="Record a call attempt, call, message, e-mail, note or CSAT answer",
    responses={
        403: {"description": "recording for an agent outside the caller's view"},
        422: {"description": "a field is invalid (e.g. `occurred_at` before the lead arrived)"},
    },
)
async def add_activity(
    lead_id: LeadId,
    body: ActivityIn,
    db: StoreDep,
    state: State,
    organisation: OrgDep,
    now: Now,
    who: LeadWorker,
) -> dict[str, Any]:
    """A call attempt, call, message or e-mail is a contact: the first one stops the SLA clock.
    A team lead records for their agents only, an agent for themselves.

    `occurred_at` lies between the lead's arrival and now (5 minutes' clock skew allowed); a
    call's `answered_at` and `ended_at` follow it in order. The first contact counts from when
    it is recorded, except for an integration (API token, e.g. the telephony system), whose
    `occurred_at` is taken as the contact's time. A CSAT answer's `rates_activity_id` is an
    activity of the same lead. The activity fires the automations that listen for it."""
    if body.agent is not None:
        seen = await lead_access.sees_agent(db, state.organisation, who, body.agent)
        scoping.require(seen, f"recording for {body.agent!r}")
    recorded = await activities.record(
        db, organisation, lead_id, body, actor=actor_of(who), now=now
    )
    await db.commit()
    return recorded.summary()
