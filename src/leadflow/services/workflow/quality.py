"""Data quality: open leads missing fields their stage requires (the stage may have gained the
requirement after they entered it: they are listed, never moved), totals per team and agent,
and the alerts: the owner at once, the team lead after the configured working hours.

Scoped like every lead list: an agent sees their own leads, a team lead their teams',
administrators and managers every lead.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import datetime

from leadflow.domain.configuration import BUILTIN_FIELDS, Configuration
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Viewer, require
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.repositories.workflow.quality import GapQuery, NewAlert
from leadflow.storage.store import Store
from leadflow.workflow.gaps import GapReport, LeadGap, requirements

FIELDS_MISSING = "workflow.fields_missing"
FIELDS_MISSING_ESCALATED = "workflow.fields_missing_escalated"
LISTED = 200
"""Leads a page or an API answer lists at most (oldest gap first); the totals count them all."""


class UnknownFilter(ValueError):
    """A filter names a team, agent, pipeline, stage or field that does not exist."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"unknown {field}: {value}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    agent: str | None = None
    pipeline: str | None = None
    stage: str | None = None
    field: str | None = None


def check(viewer: Viewer, configuration: Configuration, filters: Filters) -> None:
    """`UnknownFilter` for a value that does not exist; `Forbidden` for a team, agent or
    pipeline outside the viewer's view."""
    if filters.team is not None:
        if filters.team not in {team.key for team in configuration.teams}:
            raise UnknownFilter("team", filters.team)
        require(scoping.can_see_team(viewer, filters.team), f"team {filters.team}")
    if filters.agent is not None:
        agent = next((a for a in configuration.agents if a.key == filters.agent), None)
        if agent is None:
            raise UnknownFilter("agent", filters.agent)
        require(scoping.can_see_agent(viewer, agent), f"agent {filters.agent}")
    pipelines = configuration.pipelines
    if filters.pipeline is not None:
        found = next((p for p in pipelines if p.key == filters.pipeline), None)
        if found is None:
            raise UnknownFilter("pipeline", filters.pipeline)
        pipelines = [found]
    if filters.stage is not None and not any(p.stage(filters.stage) for p in pipelines):
        raise UnknownFilter("stage", filters.stage)
    known_fields = {*BUILTIN_FIELDS, *(f.key for f in configuration.fields)}
    if filters.field is not None and filters.field not in known_fields:
        raise UnknownFilter("field", filters.field)


async def gaps(
    store: Store,
    viewer: Viewer,
    organisation: Organisation,
    filters: Filters,
    *,
    limit: int | None = LISTED,
) -> GapReport:
    """The viewer's leads with gaps matching `filters` (at most `limit`, oldest gap first;
    None: all) and the totals per team and per agent."""
    configuration = organisation.configuration
    check(viewer, configuration, filters)
    scope = scoping.lead_scope(viewer, configuration)
    return await store.quality.gaps(
        GapQuery(
            version=organisation.version,
            requirements=requirements(configuration),
            everything=scope.everything,
            agents=scope.agents,
            pipelines=scope.pipelines,
            agent_teams=_agent_teams(configuration),
            pipeline_teams=_pipeline_teams(configuration),
            team=filters.team,
            agent=filters.agent,
            pipeline=filters.pipeline,
            stage=filters.stage,
            field=filters.field,
            limit=limit,
        )
    )


def _agent_teams(configuration: Configuration) -> dict[str, str]:
    return {agent.key: agent.team for agent in configuration.agents}


def _pipeline_teams(configuration: Configuration) -> dict[str, str]:
    return {pipeline.key: pipeline.team for pipeline in configuration.pipelines}


# --- alerts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alerted:
    owners: int
    """Owners alerted now (once per lead, stage and set of missing fields)."""
    escalated: int
    """Teams alerted now: gaps older than the configured working hours."""


async def alert_gaps(store: Store, organisation: Organisation, now: datetime) -> Alerted:
    """Alert each gap's owner once, and its team lead once the gap is older than
    `workflow.escalate_missing_fields_after_hours` working hours of the lead's pipeline. The
    caller commits; running again writes nothing new (the outbox keys are per lead, stage
    and set of missing fields)."""
    configuration = organisation.configuration
    report = await store.quality.gaps(
        GapQuery(
            version=organisation.version,
            requirements=requirements(configuration),
            everything=True,
            agent_teams=_agent_teams(configuration),
            pipeline_teams=_pipeline_teams(configuration),
        )
    )
    owners = [_owner_alert(gap) for gap in report.leads if gap.owner is not None]
    teams = [_team_alert(gap) for gap in escalated(organisation, report.leads, now)]
    sent = await store.quality.sent([a.idempotency_key for a in (*owners, *teams)])
    owners = [a for a in owners if a.idempotency_key not in sent]
    teams = [a for a in teams if a.idempotency_key not in sent]
    await store.quality.add_alerts([*owners, *teams])
    return Alerted(owners=len(owners), escalated=len(teams))


def escalated(organisation: Organisation, gaps: list[LeadGap], now: datetime) -> list[LeadGap]:
    """The gaps older than `workflow.escalate_missing_fields_after_hours` working hours of
    their pipeline (business hours, else its pool's shifts), `now`.

    A later start is never due sooner, so per pipeline a binary search over the distinct
    starts finds the latest one due: a few calendar computations, not one per lead."""
    minutes = organisation.configuration.workflow.escalate_missing_fields_after_hours * 60
    by_pipeline: dict[str, list[LeadGap]] = {}
    for gap in gaps:
        if gap.team is not None:
            by_pipeline.setdefault(gap.pipeline, []).append(gap)
    found: list[LeadGap] = []
    for pipeline, those in by_pipeline.items():
        starts = sorted({gap.since for gap in those})

        def due(index: int, pipeline: str = pipeline, starts: list[datetime] = starts) -> bool:
            return organisation.add_working_minutes(pipeline, starts[index], minutes) <= now

        count = bisect.bisect_left(range(len(starts)), True, key=lambda i: not due(i))
        latest = starts[count - 1] if count else None
        found += [gap for gap in those if latest is not None and gap.since <= latest]
    return found


def alert_key(topic: str, gap: LeadGap) -> str:
    """Once per lead, stage and set of missing fields (a long set is digested: the key has
    200 characters at most)."""
    fields = ",".join(sorted(gap.missing))
    key = f"{topic}:{gap.lead_id}:{gap.stage}:{fields}"
    if len(key) <= 200:
        return key
    return f"{topic}:{gap.lead_id}:{gap.stage}:{hashlib.sha256(fields.encode()).hexdigest()}"


def _payload(gap: LeadGap) -> dict[str, object]:
    return {
        "lead_id": gap.lead_id,
        "agent": gap.owner,
        "pipeline": gap.pipeline,
        "stage": gap.stage,
        "fields": list(gap.missing),
        "since": gap.since.isoformat(),
    }


def _owner_alert(gap: LeadGap) -> NewAlert:
    return NewAlert(FIELDS_MISSING, "sse", gap.owner, _payload(gap), alert_key(FIELDS_MISSING, gap))


def _team_alert(gap: LeadGap) -> NewAlert:
    key = alert_key(FIELDS_MISSING_ESCALATED, gap)
    return NewAlert(FIELDS_MISSING_ESCALATED, "alert", gap.team, _payload(gap), key)
