"""Work on leads over time: activities (first contact), the queue, who is on shift."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from leadflow.domain.reasons import Reason
from leadflow.locale.speech import say
from leadflow.services.access import scoping
from leadflow.services.assignment import queue
from leadflow.services.work import rota
from leadflow.services.workflow import activities
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import LeadViewer, MaybeOrgDep, Now, OrgDep, Reader, Speaking, StoreDep
from leadflow.web.errors import NotFound
from leadflow.web.params import IsoDateTime, LeadId

router = APIRouter(
    prefix="/api/v1", tags=["work"], responses={**UNAUTHENTICATED, **NOT_FOUND, **UNREADABLE}
)


@router.get("/leads/{lead_id}/activities", summary="The lead's activities, oldest first")
async def list_activities(lead_id: LeadId, db: StoreDep, _: LeadViewer) -> list[dict[str, Any]]:
    return [activities.as_json(a) for a in await db.leads.activities_of(lead_id)]


@router.get(
    "/queue",
    summary="Leads waiting for an agent (queued, unassigned or unrouted, not closed), highest "
    "priority then oldest first, with their age; the `X-Total-Count` header counts them all, as "
    "the dashboards do (a team lead: their teams' pipelines; an agent: none, they have no owner). "
    "Before any configuration is active the leads kept meanwhile wait unrouted, and "
    "`X-Configuration-Version` says `none`",
    responses={
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "every waiting lead in the viewer's scope, listed or not",
                    "schema": {"type": "integer"},
                },
                "X-Configuration-Version": {
                    "description": "the active configuration version, or `none` when no "
                    "configuration is active yet (nothing is routed until one is)",
                    "schema": {"type": "string"},
                },
            }
        }
    },
)
async def waiting(
    db: StoreDep,
    organisation: MaybeOrgDep,
    now: Now,
    who: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=5000, description="leads listed at most")] = 500,
) -> list[dict[str, Any]]:
    # No configuration: no team has a pipeline yet, so a team lead's scope is empty.
    scope = (
        scoping.lead_scope(who, organisation.configuration)
        if organisation is not None
        else scoping.LeadScope(everything=scoping.sees_everything(who))
    )
    found = await queue.waiting(
        db, now, everything=scope.everything, pipelines=scope.pipelines, limit=limit
    )
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["X-Configuration-Version"] = (
        str(organisation.version) if organisation is not None else "none"
    )
    return [asdict(item) for item in found.leads]


@router.get(
    "/roster",
    summary="Who is on shift now (or at `at`), who is on leave this week (a team lead: their "
    "teams; an agent: themselves)",
)
async def roster(
    organisation: OrgDep,
    now: Now,
    who: Reader,
    locale: Speaking,
    at: IsoDateTime | None = None,
    team: str | None = None,
) -> list[dict[str, Any]]:
    """Each agent's state; `detail` in the caller's language (as a decision's sentences),
    `detail_reason` its code and parameters."""
    visible = {a.key for a in scoping.visible_agents(who, organisation.configuration.agents)}
    return [
        _agent_now(agent, locale)
        for agent in rota.rota(organisation, at or now, team=team)
        if agent.key in visible
    ]


def _agent_now(agent: rota.AgentNow, locale: str) -> dict[str, Any]:
    """The agent's state; `detail` in `locale`, and `detail_reason` its code and parameters."""
    detail = agent.detail
    if isinstance(detail, Reason):
        return {**asdict(agent), "detail": say(detail, locale), "detail_reason": detail.to_trace()}
    return {**asdict(agent), "detail": detail, "detail_reason": None}


@router.get(
    "/agents/{agent_key}/availability",
    summary="An agent's availability and next shift (404 for an agent outside the caller's view)",
)
async def agent_availability(
    agent_key: str,
    organisation: OrgDep,
    now: Now,
    who: Reader,
    locale: Speaking,
    at: IsoDateTime | None = None,
) -> dict[str, Any]:
    visible = scoping.visible_agents(who, organisation.configuration.agents)
    found = [a for a in rota.rota(organisation, at or now) if a.key == agent_key]
    if not found or agent_key not in {a.key for a in visible}:
        raise NotFound(f"agent {agent_key!r} is not in the active configuration")
    return _agent_now(found[0], locale)
