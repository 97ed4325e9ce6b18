"""Add an agent: a copy of the active configuration with the new agent (and their places in the
chosen pools), applied as a new version through `configuration.apply` like every other edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Viewer, can_edit_team, require
from leadflow.services.configuration import versions as config_service
from leadflow.services.configuration.agent_settings import AgentSettings, StaleVersion
from leadflow.storage.store import Store

WORKING_WEEK = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
"""A new agent's hours until the Shifts screen says otherwise (no schedule: always on)."""


class AgentExists(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"an agent with the key {key!r} exists already")
        self.key = key


@dataclass(frozen=True)
class NewAgent:
    key: str
    name: str
    email: str | None
    team: str
    pools: dict[str, int]
    """Pipeline key → the agent's weight in its pool."""
    started_on: date | None
    """Ramp-up: the agent gets no leads before this day."""
    settings: AgentSettings

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "team": self.team,
            "schedule": {"weekly": WORKING_WEEK},
            **self.settings.as_document(),
        }
        if self.email:
            document["email"] = self.email
        if self.started_on is not None:
            document["started_on"] = self.started_on.isoformat()
        return document


def with_new_agent(configuration: Configuration, agent: NewAgent) -> Configuration:
    """The configuration with `agent` added to its team and pools; validated as a whole
    (ConfigurationError names what it refuses: an unknown team, a pool of another's, …)."""
    if any(existing.key == agent.key for existing in configuration.agents):
        raise AgentExists(agent.key)
    document = configuration.model_dump(mode="json", exclude_defaults=True)
    document.setdefault("agents", []).append(agent.as_document())
    for pipeline in document.get("pipelines", []):
        if pipeline["key"] in agent.pools:
            members = pipeline.setdefault("pool", {}).setdefault("members", [])
            members.append({"agent": agent.key, "weight": agent.pools[pipeline["key"]]})
    return config_service.validate(document)


def pools_for(viewer: Viewer, configuration: Configuration) -> list[str]:
    """The pipelines whose pools the viewer may add an agent to (their teams' pipelines)."""
    return [p.key for p in configuration.pipelines if can_edit_team(viewer, p.team)]


async def add_agent(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    agent: NewAgent,
    *,
    base_version: int,
    comment: str = "",
) -> int:
    """Apply the configuration with the new agent as a new version; returns its id. Refused
    (Forbidden) for a team or pool the viewer does not edit; StaleVersion when the form was
    based on another version than the active one."""
    require(can_edit_team(viewer, agent.team), f"team {agent.team}")
    allowed = set(pools_for(viewer, configuration))
    for pipeline in agent.pools:
        require(pipeline in allowed, f"pipeline {pipeline}")
    active = await store.configs.active_id()
    if active != base_version:
        raise StaleVersion(base_version, active or 0)
    updated = with_new_agent(configuration, agent)
    note = comment.strip() or f"new agent {agent.key}"
    return await config_service.apply(store, updated, actor=viewer.actor, comment=note)
