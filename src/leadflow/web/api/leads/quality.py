"""Data quality over the API: the figures of the data-quality page, for the same filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from leadflow.services.workflow import quality
from leadflow.services.workflow.quality import Filters, UnknownFilter
from leadflow.web.api.schemas import UNAUTHENTICATED
from leadflow.web.deps import Now, OrgDep, Reader, StoreDep
from leadflow.web.errors import NotFound
from leadflow.workflow.gaps import GapTotal

KeyFilter = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]

router = APIRouter(prefix="/api/v1", tags=["workflow"], responses=UNAUTHENTICATED)


class TotalOut(BaseModel):
    team: str | None
    agent: str | None = Field(description="None on a team's row, and for leads nobody owns")
    leads: int
    missing_fields: int
    oldest: datetime = Field(description="when the oldest of these gaps began")


class GapOut(BaseModel):
    lead_id: int
    name: str
    pipeline: str
    stage: str
    owner: str | None
    team: str | None
    missing: list[str] = Field(description="field keys, in the stage's order")
    since: datetime = Field(
        description="the later of entering the stage and the requirement's appearance"
    )
    age_s: int


class DataQualityOut(BaseModel):
    leads_with_gaps: int
    missing_fields: int
    teams: list[TotalOut]
    agents: list[TotalOut]
    leads: list[GapOut] = Field(description="oldest gap first, at most `limit`")


def _total(total: GapTotal) -> TotalOut:
    return TotalOut(
        team=total.team,
        agent=total.agent,
        leads=total.leads,
        missing_fields=total.missing_fields,
        oldest=total.oldest,
    )


@router.get(
    "/data-quality",
    response_model=DataQualityOut,
    summary="Open leads missing fields their stage requires, with totals per team and agent",
    responses={
        403: {"description": "a team, agent or pipeline outside the caller's view"},
        404: {"description": "a filter names something the configuration does not have"},
        422: {"description": "a filter is not a key (lowercase letters, digits, . _ -)"},
    },
)
async def data_quality(
    db: StoreDep,
    organisation: OrgDep,
    now: Now,
    who: Reader,
    team: KeyFilter = None,
    agent: KeyFilter = None,
    pipeline: KeyFilter = None,
    stage: KeyFilter = None,
    field: KeyFilter = None,
    limit: int = Query(default=quality.LISTED, ge=1, le=10_000),
) -> DataQualityOut:
    """Scoped like the leads: an agent their own, a team lead their teams', everyone else
    every lead. The totals count every gap; `leads` lists the oldest `limit`."""
    filters = Filters(team, agent, pipeline, stage, field)
    try:
        report = await quality.gaps(db, who, organisation, filters, limit=limit)
    except UnknownFilter as error:
        raise NotFound(
            f"{error.field} {error.value!r} is not in the active configuration"
        ) from None
    return DataQualityOut(
        leads_with_gaps=report.total_leads,
        missing_fields=report.total_missing,
        teams=[_total(t) for t in report.teams],
        agents=[_total(t) for t in report.agents],
        leads=[
            GapOut(
                lead_id=gap.lead_id,
                name=gap.name,
                pipeline=gap.pipeline,
                stage=gap.stage,
                owner=gap.owner,
                team=gap.team,
                missing=list(gap.missing),
                since=gap.since,
                age_s=int(gap.age(now).total_seconds()),
            )
            for gap in report.leads
        ],
    )
