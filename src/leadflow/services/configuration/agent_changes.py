"""Agents created and changed field by field (the API's agents): each change is a copy of the
active configuration with the agent put in, validated as a whole and applied as a new version
(with its audit entry) through `config_edits.save`, the path the configuration screens save by.

Problems are named by the agent's own fields (`team`, `caps.open`, `pools.sales`) rather than by
their place in the document (`agents[12].team`), so a caller can tell which of its fields to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadflow.domain.configuration import Agent, Configuration
from leadflow.services.access.scoping import Viewer, can_change_agents_of
from leadflow.services.configuration import config_edits
from leadflow.services.configuration.config_edits import Document, Edit
from leadflow.services.configuration.new_agent import WORKING_WEEK
from leadflow.services.configuration.versions import ConfigurationError, Problem
from leadflow.storage.store import Store

Pools = dict[str, int | None]
"""Pipeline key → the agent's weight in its pool; None takes the agent out of that pool."""


@dataclass(frozen=True)
class AgentChange:
    """What a caller sends for one agent: the agent's fields (as in the document) and pools."""

    fields: dict[str, Any]
    pools: Pools


def pools_of(configuration: Configuration, key: str) -> dict[str, int]:
    """The pools agent `key` belongs to, with their weight in each."""
    return {
        pipeline.key: member.weight
        for pipeline in configuration.pipelines
        for member in pipeline.pool.members
        if member.agent == key
    }


def find(configuration: Configuration, key: str) -> Agent | None:
    return next((agent for agent in configuration.agents if agent.key == key), None)


async def create(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    change: AgentChange,
    *,
    base_version: int,
) -> int:
    """Add the agent as a new version; returns its number. A key that exists already, a team
    or pipeline that does not: ConfigurationError naming the field."""
    key = change.fields["key"]
    if find(configuration, key) is not None:
        raise ConfigurationError([Problem("key", f"an agent with the key {key!r} exists already")])
    _require_pools_exist(configuration, change.pools)
    document = {"schedule": {"weekly": WORKING_WEEK}, **change.fields}
    teams = [document["team"]]
    saved = await _save(
        store, viewer, configuration, key, _added(document, change.pools),
        teams=teams + _pool_teams(configuration, change.pools),
        base_version=base_version, comment=f"new agent {key} (API)",
    )  # fmt: skip
    assert saved is not None  # a new agent always changes the document
    return saved


async def change(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    key: str,
    change: AgentChange,
    *,
    base_version: int,
) -> int | None:
    """Apply the changed fields as a new version; returns its number, None when nothing
    changed. `caps` and `schedule` change only the parts they name."""
    agent = find(configuration, key)
    if agent is None:
        raise config_edits.UnknownEntry("agent", key)
    _require_pools_exist(configuration, change.pools)
    teams = [agent.team, change.fields.get("team", agent.team)]
    named = ", ".join([*change.fields, *(f"pools.{p}" for p in change.pools)]) or "nothing"
    return await _save(
        store, viewer, configuration, key, _changed(key, change),
        teams=teams + _pool_teams(configuration, change.pools),
        base_version=base_version, comment=f"agent {key}: {named} (API)",
    )  # fmt: skip


async def _save(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    key: str,
    edit: Edit,
    *,
    teams: list[str],
    base_version: int,
    comment: str,
) -> int | None:
    allowed = all(can_change_agents_of(viewer, team) for team in teams)
    try:
        return await config_edits.save(
            store, viewer, configuration, edit, allowed=allowed, what=f"agent {key}",
            base_version=base_version, comment="", default_comment=comment,
        )  # fmt: skip
    except ConfigurationError as refused:
        raise _named_by_field(refused, key, edit, configuration) from None


def _added(agent: Document, pools: Pools) -> Edit:
    def edit(document: Document) -> None:
        document.setdefault("agents", []).append(agent)
        _put_in_pools(document, agent["key"], pools)

    return edit


def _changed(key: str, change: AgentChange) -> Edit:
    def edit(document: Document) -> None:
        agent = config_edits.entry(document, "agents", key)
        for name, value in change.fields.items():
            if name in ("caps", "schedule") and isinstance(value, dict):
                merged = {**agent.get(name, {}), **value}
                agent[name] = {part: v for part, v in merged.items() if v is not None}
            elif value is None:
                agent.pop(name, None)
            else:
                agent[name] = value
        _put_in_pools(document, key, change.pools)

    return edit


def _put_in_pools(document: Document, key: str, pools: Pools) -> None:
    for pipeline in document.get("pipelines", []):
        if pipeline["key"] not in pools:
            continue
        pool = pipeline.setdefault("pool", {})
        members = [m for m in pool.get("members", []) if m["agent"] != key]
        weight = pools[pipeline["key"]]
        if weight is not None:
            members.append({"agent": key, "weight": weight})
        pool["members"] = members


def _require_pools_exist(configuration: Configuration, pools: Pools) -> None:
    known = {pipeline.key for pipeline in configuration.pipelines}
    unknown = [Problem(f"pools.{key}", f"no pipeline {key!r}") for key in pools if key not in known]
    if unknown:
        raise ConfigurationError(unknown)


def _pool_teams(configuration: Configuration, pools: Pools) -> list[str]:
    return [p.team for p in configuration.pipelines if p.key in pools]


def _named_by_field(
    refused: ConfigurationError, key: str, edit: Edit, configuration: Configuration
) -> ConfigurationError:
    """The problems with the agent's own part named by its fields (`agents[7].team` → `team`,
    a pool membership → `pools`), others by their place in the document."""
    document = config_edits.document_of(configuration)
    edit(document)
    place = f"agents[{config_edits.index_of(document, 'agents', key)}]"
    problems = []
    for problem in refused.problems:
        location = problem.location
        if location == place or location.startswith(place + "."):
            location = location.removeprefix(place).removeprefix(".") or "(agent)"
        elif ".pool.members[" in location:
            location = "pools"
        problems.append(Problem(location, problem.message))
    return ConfigurationError(problems)
