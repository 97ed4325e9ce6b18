"""Finding leads over the API: the leads list with its filters, sort and cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from leadflow.services.leads import listing
from leadflow.services.leads.listing import LeadFilters, ListedLead
from leadflow.web.api.schemas import UNAUTHENTICATED
from leadflow.web.deps import OrgDep, Reader, StoreDep

router = APIRouter(prefix="/api/v1", tags=["leads"], responses=UNAUTHENTICATED)

Keys = Annotated[list[str] | None, Query(max_length=20)]
Status = Literal["new", "assigned", "queued", "unassigned", "unrouted"]
Sort = Literal["received", "name", "owner", "stage", "status"]


class ListedLeadOut(BaseModel):
    id: int
    name: str
    phone: str | None = Field(description="E.164")
    email: str | None
    source: str
    campaign: str | None = Field(description="utm_campaign")
    country: str | None
    language: str | None
    received_at: datetime
    status: str = Field(description="routing status: " + ", ".join(listing.STATUSES))
    pipeline: str | None
    stage: str | None
    owner: str | None = Field(description="the owning agent's key")
    team: str | None = Field(description="the owner's team, else the pipeline's")
    closed: bool
    last_activity_at: datetime | None


class LeadListOut(BaseModel):
    leads: list[ListedLeadOut]
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page (same filters and sort); null on the "
        "last page"
    )


@router.get(
    "/leads",
    response_model=LeadListOut,
    summary="Find leads: filters, text search, sort and cursor pagination, in the caller's scope",
    responses={
        403: {"description": "a team or owner outside the caller's view"},
        422: {
            "description": "a filter cannot be used (an unknown stage, owner, team, pipeline or "
            "status, a bad date or cursor): `loc` names the field"
        },
    },
)
async def list_leads(
    db: StoreDep,
    organisation: OrgDep,
    who: Reader,
    status: Annotated[
        list[Status] | None, Query(max_length=5, description="routing status")
    ] = None,
    stage: Keys = None,
    owner: Annotated[
        list[str] | None,
        Query(max_length=20, description=f"agent key; `{listing.UNOWNED}`: nobody's"),
    ] = None,
    team: Keys = None,
    pipeline: Keys = None,
    source: Keys = None,
    campaign: Keys = None,
    country: Keys = None,
    language: Keys = None,
    received_from: Annotated[
        str,
        Query(
            max_length=40,
            description="YYYY-MM-DD (a day in the organisation's time zone) or an ISO date-time",
        ),
    ] = "",
    received_to: Annotated[
        str,
        Query(
            max_length=40,
            description="YYYY-MM-DD (the day included, in the organisation's time "
            "zone) or an ISO date-time (excluded)",
        ),
    ] = "",
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="the start of a first or last name or an e-mail "
            "address, or a phone number in any format",
        ),
    ] = "",
    sort: Sort = "received",
    order: Annotated[
        Literal["asc", "desc", ""] | None,
        Query(description="default: received newest first, the others A to Z"),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_PAGE_SIZE)] = listing.PAGE_SIZE,
) -> LeadListOut:
    """Repeat a filter to mean "any of" (`status=queued&status=unassigned`). Scoped: an agent
    sees their own leads, a team lead their teams', everyone else every lead. Pages are keyset
    pages: stable while leads arrive."""
    filters = LeadFilters(
        status=tuple(status or ()),
        stage=tuple(stage or ()),
        owner=tuple(owner or ()),
        team=tuple(team or ()),
        pipeline=tuple(pipeline or ()),
        source=tuple(source or ()),
        campaign=tuple(campaign or ()),
        country=tuple(country or ()),
        language=tuple(language or ()),
        received_from=received_from,
        received_to=received_to,
        q=q,
        sort=sort,
        order=order or "",
    )
    configuration = organisation.configuration
    found = await listing.page(
        db,
        who,
        configuration,
        filters,
        timezone=configuration.organisation.timezone,
        after=cursor,
        limit=limit,
    )
    return LeadListOut(
        leads=[_out(lead, listing.team_of(configuration, lead)) for lead in found.leads],
        next_cursor=found.next_cursor,
    )


def _out(lead: ListedLead, team: str | None) -> ListedLeadOut:
    return ListedLeadOut(
        id=lead.id,
        name=lead.name,
        phone=lead.phone,
        email=lead.email,
        source=lead.source,
        campaign=lead.campaign,
        country=lead.country,
        language=lead.language,
        received_at=lead.received_at,
        status=lead.status,
        pipeline=lead.pipeline,
        stage=lead.stage,
        owner=lead.owner,
        team=team,
        closed=lead.closed_at is not None,
        last_activity_at=lead.last_activity_at,
    )
