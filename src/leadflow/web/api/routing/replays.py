"""Period replay: a past period under the configurations then in force and under a draft."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from leadflow.services.access import scoping
from leadflow.services.assignment import replays
from leadflow.services.configuration.versions import validate
from leadflow.web.api.schemas import UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import Reader, StoreDep
from leadflow.web.params import INTEGER_MAX, IsoDateTime

router = APIRouter(prefix="/api/v1", tags=["routing"], responses={**UNAUTHENTICATED, **UNREADABLE})


class ReplayIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    start: IsoDateTime = Field(alias="from", description="the period's first moment")
    end: IsoDateTime = Field(
        alias="to",
        description=f"the period's end (excluded); at most {replays.MAX_DAYS} days after `from`",
    )
    draft_version: int | None = Field(
        default=None,
        ge=1,
        le=INTEGER_MAX,
        description="a stored configuration version to compare, over the period",
    )
    draft: dict[str, Any] | None = Field(
        default=None, description="a draft configuration document to compare (instead of a version)"
    )


class Step(BaseModel):
    move: str = Field(description="initial, queue_release, sla, staff, manual or automation")
    at: str
    outcome: str
    agent: str | None


class DifferenceOut(BaseModel):
    lead_id: int
    history_agent: str | None
    replay_agent: str | None
    reason: str = Field(description="the kind of the first move where replay and history part")
    at: str
    history_step: Step | None
    replay_step: Step | None


class HistoryOut(BaseModel):
    compared: int
    same_agent: int
    share: float = Field(description="same_agent / compared")
    differences_by_move: dict[str, int]
    differences: list[DifferenceOut]


class ChangeOut(BaseModel):
    lead_id: int
    live_agent: str | None
    draft_agent: str | None


class AgentLoadOut(BaseModel):
    agent: str
    live_assigned: int
    draft_assigned: int
    difference: int
    live_holding: int
    draft_holding: int


class SlaOut(BaseModel):
    live_moves: int
    draft_moves: int
    live_waiting: int
    draft_waiting: int


class DraftOut(BaseModel):
    leads: int
    changed_agent: int
    changes: list[ChangeOut]
    agents: list[AgentLoadOut]
    sla: SlaOut


class ReplayOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    leads: int
    live_versions: list[int]
    history: HistoryOut = Field(description="the live replay against what happened")
    draft_version: int | None = Field(description="0 for a draft document")
    draft: DraftOut | None = Field(description="what the draft changes against the live replay")


_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "only administrators, managers and integrations replay periods"},
    422: {"description": "a bad period (`to` not after `from`, longer than the limit), an "
          "unknown `draft_version` or an invalid `draft`; `loc` names the field"},
}  # fmt: skip


@router.post(
    "/replays",
    response_model=ReplayOut,
    response_model_by_alias=True,
    summary="Replay a past period under the live configuration and a draft (admin, manager)",
    responses=_REFUSALS,
)
async def replay_period(body: ReplayIn, db: StoreDep, who: Reader) -> dict[str, Any]:
    """Reads only. Each lead of the period is replayed as it happened — arrival, queue
    releases, first-contact SLA moves, staff changes, people's reassignments — under the
    versions then in force: `history` says how many went to the agent history gave them, and
    for each that did not, the move where the two parted. With `draft_version` or `draft`, the
    same period under that configuration: the leads that would change agent, each agent's
    load and the SLA effects. A period covers at most 31 days; the replay runs off the
    server's event loop."""
    scoping.require(scoping.sees_everything(who), "replaying a period")
    draft = validate(body.draft) if body.draft is not None else None
    report = await replays.replay(
        db, start=body.start, end=body.end, draft=draft, draft_version=body.draft_version
    )
    return report.to_dict()
