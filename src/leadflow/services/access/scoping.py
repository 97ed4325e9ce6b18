"""Who may see and change what: pure rules on a `Viewer`, shared by the pages and the JSON API.

Admins and managers see every team; a team lead sees only the teams they lead; an agent sees only
their own leads. Changing the configuration is for admins, and for team leads within their teams.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from leadflow.domain.configuration import Agent, Configuration, Pipeline, Team


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    TEAM_LEAD = "team_lead"
    AGENT = "agent"
    INTEGRATION = "integration"
    """A machine client with an API token: reads every lead, manages nothing. Not a user role."""


USER_ROLES = (Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AGENT)


class Scope(StrEnum):
    """What an API token may do at all; its caller's role (`Role.INTEGRATION`) decides the rest.
    A signed-in user holds every scope: their role alone limits them."""

    INTAKE = "intake"
    """Submit leads."""
    READ = "read"
    """Read leads, decisions, activities, the queue, the roster, agents' live events; simulate."""
    WORK = "work"
    """Record activities on leads and reassign them: what a CRM or a virtual consultant does."""
    CONFIGURATION = "configuration"
    """Read, apply and roll back the configuration document."""


ALL_SCOPES = frozenset(Scope)
LEAST_PRIVILEGE = frozenset({Scope.INTAKE})
"""A new token's scopes unless more are asked for: a lead source needs nothing else."""


class Forbidden(Exception):
    """The viewer may not see or do this; the web layer answers 403."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Viewer:
    """The person (or machine) a page or endpoint is served to."""

    role: Role
    team_keys: frozenset[str] = frozenset()
    agent_key: str | None = None
    actor: str = ""
    """Who they are in the audit log: a user's e-mail or `token:NAME`."""
    scopes: frozenset[Scope] = ALL_SCOPES
    """An API token's scopes; a user holds them all."""


@dataclass(frozen=True)
class LeadScope:
    """The leads a viewer may see: all, or those owned by `agents` or routed to `pipelines`."""

    everything: bool
    agents: frozenset[str] = field(default_factory=frozenset)
    pipelines: frozenset[str] = field(default_factory=frozenset)

    def admits(self, owner: str | None, pipeline: str | None) -> bool:
        return self.everything or owner in self.agents or pipeline in self.pipelines


def sees_everything(viewer: Viewer) -> bool:
    return viewer.role in (Role.ADMIN, Role.MANAGER, Role.INTEGRATION)


def can_see_team(viewer: Viewer, team_key: str) -> bool:
    if sees_everything(viewer):
        return True
    return viewer.role is Role.TEAM_LEAD and team_key in viewer.team_keys


def can_edit_team(viewer: Viewer, team_key: str) -> bool:
    if viewer.role is Role.ADMIN:
        return True
    return viewer.role is Role.TEAM_LEAD and team_key in viewer.team_keys


def can_change_agents(viewer: Viewer) -> bool:
    """Who may create or change agents by API at all (which ones: `can_change_agents_of`)."""
    return viewer.role in (Role.ADMIN, Role.TEAM_LEAD, Role.INTEGRATION)


def can_change_agents_of(viewer: Viewer, team_key: str) -> bool:
    """Creating and changing a team's agents by API: as on the screens, and integrations that
    hold the `configuration` scope (they may apply a whole document anyway)."""
    return viewer.role is Role.INTEGRATION or can_edit_team(viewer, team_key)


def can_see_agent(viewer: Viewer, agent: Agent) -> bool:
    if viewer.role is Role.AGENT:
        return agent.key == viewer.agent_key
    return can_see_team(viewer, agent.team)


def can_edit_agent(viewer: Viewer, agent: Agent) -> bool:
    return can_edit_team(viewer, agent.team)


def can_view_configuration(viewer: Viewer) -> bool:
    """The configuration screens (agents list); what each shows is scoped further."""
    return viewer.role in (Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD)


def can_view_versions(viewer: Viewer) -> bool:
    """Version history and diffs cover every team, so only those who see every team read them."""
    return viewer.role in (Role.ADMIN, Role.MANAGER)


def can_roll_back(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def can_view_rules(viewer: Viewer) -> bool:
    """Rules send leads to every team's pipelines, so only those who see every team read them."""
    return viewer.role in (Role.ADMIN, Role.MANAGER)


def can_edit_rules(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def can_edit_fields(viewer: Viewer) -> bool:
    """The workflow's fields are the organisation's: every team's stages may require them."""
    return viewer.role is Role.ADMIN


def can_simulate(viewer: Viewer) -> bool:
    """Routing a test lead shows every candidate of every pipeline a rule may pick."""
    return can_view_rules(viewer)


def can_edit_team_lead_list(viewer: Viewer) -> bool:
    """Who leads a team is decided by an administrator, not by the team lead themselves."""
    return viewer.role is Role.ADMIN


def can_list_leads(viewer: Viewer) -> bool:
    """The leads page (find, change many at once): those who oversee others' leads. Agents
    have their inbox; the API lists anyone's own leads."""
    return viewer.role in (Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD)


def can_manage_users(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def can_manage_tokens(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def can_manage_channels(viewer: Viewer) -> bool:
    """Connectors hold the ad accounts' and numbers' secrets: administrators only."""
    return viewer.role is Role.ADMIN


def can_manage_web_forms(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def visible_teams(viewer: Viewer, teams: Iterable[Team]) -> list[Team]:
    return [team for team in teams if can_see_team(viewer, team.key)]


def visible_agents(viewer: Viewer, agents: Iterable[Agent]) -> list[Agent]:
    return [agent for agent in agents if can_see_agent(viewer, agent)]


def visible_pipelines(viewer: Viewer, pipelines: Iterable[Pipeline]) -> list[Pipeline]:
    return [pipeline for pipeline in pipelines if can_see_team(viewer, pipeline.team)]


def lead_scope(viewer: Viewer, configuration: Configuration) -> LeadScope:
    """A team lead sees leads owned by their teams' agents or routed to their teams' pipelines."""
    if sees_everything(viewer):
        return LeadScope(everything=True)
    if viewer.role is Role.AGENT:
        own = frozenset({viewer.agent_key}) if viewer.agent_key else frozenset()
        return LeadScope(everything=False, agents=own)
    if viewer.role is Role.TEAM_LEAD:
        return LeadScope(
            everything=False,
            agents=frozenset(a.key for a in configuration.agents if a.team in viewer.team_keys),
            pipelines=frozenset(
                p.key for p in configuration.pipelines if p.team in viewer.team_keys
            ),
        )
    return LeadScope(everything=False)


def can_see_lead(
    viewer: Viewer, configuration: Configuration, *, owner: str | None, pipeline: str | None
) -> bool:
    return lead_scope(viewer, configuration).admits(owner, pipeline)


def require(allowed: bool, what: str) -> None:
    """Raise `Forbidden(what)` unless `allowed`."""
    if not allowed:
        raise Forbidden(what)


def require_scope(viewer: Viewer, scope: Scope) -> None:
    """Raise `Forbidden` naming `scope` unless the viewer's token holds it."""
    require(scope in viewer.scopes, f"the API token lacks the {scope.value!r} scope")


# The JSON API (/api/v1): who may call what. Integrations (API tokens) keep the rights they had
# before users existed: they submit leads, reassign, simulate and manage configuration as code.


def can_submit_leads(viewer: Viewer) -> bool:
    """New leads come from integrations; an administrator may also enter one by hand."""
    return viewer.role in (Role.INTEGRATION, Role.ADMIN)


def can_reassign_lead(
    viewer: Viewer,
    configuration: Configuration,
    *,
    owner: str | None,
    pipeline: str | None,
    to_agent: str,
) -> bool:
    """Admins, managers and integrations move any lead. A team lead moves a lead from one of their
    agents (or their teams' queue, when nobody owns it) to one of their agents. Agents move none."""
    if sees_everything(viewer):
        return True
    if viewer.role is not Role.TEAM_LEAD:
        return False
    scope = lead_scope(viewer, configuration)
    from_ours = owner in scope.agents if owner is not None else pipeline in scope.pipelines
    return from_ours and to_agent in scope.agents


def can_see_agent_key(viewer: Viewer, configuration: Configuration, agent_key: str) -> bool:
    """Whether `agent_key` is an agent of the configuration that the viewer sees: one they
    may record work for, or ask "why not this agent?" about."""
    return any(
        agent.key == agent_key and can_see_agent(viewer, agent) for agent in configuration.agents
    )


def can_simulate_lead(viewer: Viewer, *, draft: bool) -> bool:
    """Anyone who routes leads may test one against the live configuration; a draft
    configuration covers every team, so only those who see every team try one."""
    if draft:
        return sees_everything(viewer)
    return sees_everything(viewer) or viewer.role is Role.TEAM_LEAD


def can_read_configuration_document(viewer: Viewer) -> bool:
    """The whole document (rules, pools, every team): for those who see every team."""
    return sees_everything(viewer)


def can_apply_configuration(viewer: Viewer) -> bool:
    """Applying or rolling back a whole document: administrators and configuration-as-code."""
    return viewer.role in (Role.ADMIN, Role.INTEGRATION)
