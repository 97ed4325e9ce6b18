"""What each role's home page shows, read in a few set-based queries scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadflow.domain.configuration import Agent, Caps, Configuration
from leadflow.services.access.scoping import LeadScope, Viewer, lead_scope
from leadflow.storage.store import Store


@dataclass(frozen=True)
class LeadLine:
    id: int
    received_at: datetime
    name: str
    country: str | None
    language: str | None
    treatment: str | None
    source: str
    routing_status: str
    stage: str | None
    owner: str | None
    sla_due_at: datetime | None
    first_contact_at: datetime | None
    is_repeat: bool


@dataclass(frozen=True)
class Totals:
    received: int
    """Leads received in the period."""
    waiting: int
    """Of those, still without an agent (queued, unassigned or unrouted)."""
    open: int
    """Leads with an owner and not closed, whenever received."""


@dataclass(frozen=True)
class Load:
    """New leads today, this week and this month (in the agent's time zone) and open leads."""

    today: int = 0
    week: int = 0
    month: int = 0
    open: int = 0


@dataclass(frozen=True)
class Member:
    agent: Agent
    team_name: str
    load: Load

    @property
    def caps(self) -> Caps:
        return self.agent.caps


@dataclass(frozen=True)
class VersionLine:
    id: int
    created_at: datetime
    created_by: str
    comment: str
    is_active: bool


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str


@dataclass(frozen=True)
class SystemSummary:
    version: VersionLine | None
    users: int
    tokens: int
    teams: int
    agents: int
    totals: Totals
    audit: list[AuditLine]


def _scope_args(scope: LeadScope) -> dict[str, Any]:
    return {"everything": scope.everything, "agents": scope.agents, "pipelines": scope.pipelines}


def line(lead: Any) -> LeadLine:
    """A row of the leads table as the pages show it."""
    name = " ".join(part for part in (lead.first_name, lead.last_name) if part)
    return LeadLine(
        id=lead.id,
        received_at=lead.received_at,
        name=name or f"#{lead.id}",
        country=lead.country,
        language=lead.language,
        treatment=lead.treatment,
        source=lead.source,
        routing_status=lead.routing_status,
        stage=lead.stage_key,
        owner=lead.owner_agent_key,
        sla_due_at=lead.sla_due_at,
        first_contact_at=lead.first_contact_at,
        is_repeat=lead.is_repeat,
    )


async def recent_leads(
    store: Store, viewer: Viewer, configuration: Configuration, *, limit: int = 50
) -> list[LeadLine]:
    """The newest leads the viewer may see (for an agent: their own)."""
    scope = lead_scope(viewer, configuration)
    rows = await store.dashboards.recent_leads(**_scope_args(scope), limit=limit)
    return [line(row) for row in rows]


async def totals(
    store: Store, viewer: Viewer, configuration: Configuration, since: datetime
) -> Totals:
    scope = lead_scope(viewer, configuration)
    return Totals(**await store.dashboards.lead_totals(since, **_scope_args(scope)))


async def team_members(
    store: Store, viewer: Viewer, configuration: Configuration, now: datetime
) -> list[Member]:
    """The agents of the viewer's teams with today's, this week's and month's leads and open
    leads (each counted in the agent's own time zone), in one query."""
    teams = {team.key: team.name for team in configuration.teams if team.key in viewer.team_keys}
    agents = [agent for agent in configuration.agents if agent.team in teams]
    current = await loads(store, [agent.key for agent in agents], now)
    members = [Member(agent, teams[agent.team], current[agent.key]) for agent in agents]
    return sorted(members, key=lambda m: (m.team_name, m.agent.name))


async def loads(store: Store, keys: list[str], now: datetime) -> dict[str, Load]:
    """The load of each of `keys` (zero for an agent with no leads yet), in one query."""
    found = await store.roster.loads(keys, now) if keys else {}
    return {key: Load(*found[key]) if key in found else Load() for key in keys}


def _version_line(row: Any) -> VersionLine:
    return VersionLine(row.id, row.created_at, row.created_by, row.comment, row.is_active)


async def versions(store: Store, limit: int = 100) -> list[VersionLine]:
    return [_version_line(row) for row in await store.configs.history(limit)]


async def system_summary(
    store: Store, configuration: Configuration, now: datetime
) -> SystemSummary:
    active = await store.configs.active()
    audit = await store.audit.recent(10)
    return SystemSummary(
        version=_version_line(active) if active else None,
        users=await store.users.count(),
        tokens=await store.dashboards.live_token_count(),
        teams=len(configuration.teams),
        agents=len(configuration.agents),
        totals=Totals(
            **await store.dashboards.lead_totals(now - timedelta(days=1), everything=True)
        ),
        audit=[AuditLine(e.at, e.actor, e.action, e.entity, e.entity_id) for e in audit],
    )
