"""Configuration as code: validate, activate, export, diff and roll back versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from leadflow.domain.configuration import AgentStatus, Configuration
from leadflow.storage.store import Store
from leadflow.storage.tables import ConfigVersion


@dataclass(frozen=True)
class Problem:
    location: str
    """'file.yaml:12:5 agents[3].timezone' or just the field path."""
    message: str


class ConfigurationError(Exception):
    """The document is not valid; each problem names its place and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.location}: {p.message}" for p in problems))


class NoConfiguration(Exception):
    def __init__(self) -> None:
        super().__init__("no configuration is active yet: run `leadflow config apply FILE`")


class UnknownVersion(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(f"configuration version {version} does not exist")
        self.version = version


def parse_yaml(text: str, filename: str = "<config>") -> Configuration:
    """Validate a YAML document; errors carry the file position of the offending field."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        raise ConfigurationError([Problem(where, f"not valid YAML: {exc}")]) from None
    try:
        return validate(data)
    except ConfigurationError as exc:
        raise ConfigurationError(
            [Problem(_position(node, filename, p.location), p.message) for p in exc.problems]
        ) from None


def validate(data: Any) -> Configuration:
    try:
        return Configuration.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError([_problem(error) for error in exc.errors()]) from None


def _problem(error: Any) -> Problem:
    path = _dotted(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    # Cross-reference errors name their own path ("agents[2].team: 'x' is not defined").
    if ": " in message and not path:
        path, message = message.split(": ", 1)
    return Problem(path or "(document)", message)


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).startswith("~") or "[" in str(part):
            continue  # tags of condition kinds, and pydantic's validator wrapper names
        else:
            text += f".{part}" if text else str(part)
    return text


def _position(node: Any, filename: str, path: str) -> str:
    """Walk the composed YAML to the deepest node that `path` reaches; report its line."""
    current = node
    for part in _path_parts(path):
        child = _child(current, part)
        if child is None:
            break
        current = child
    if current is None:
        return f"{filename} {path}"
    mark = current.start_mark
    return f"{filename}:{mark.line + 1}:{mark.column + 1} {path}"


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indexes if i.isdigit())
    return parts


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if k.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def to_yaml(configuration: Configuration | dict[str, Any]) -> str:
    """The configuration as YAML in the schema's order (organisation, teams, agents…): a stored
    document comes back from JSONB with its keys reordered, so it is dumped through the model."""
    if not isinstance(configuration, Configuration):
        configuration = validate(configuration)
    document = configuration.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def diff(old: dict[str, Any], new: dict[str, Any], *, old_name: str, new_name: str) -> str:
    """A unified diff of two documents written out in full, defaults included, so a value
    changed to its default reads `weight: 3` → `weight: 1` rather than a vanished line."""

    def full(document: dict[str, Any]) -> list[str]:
        if not document:  # before the first version
            return []
        dumped = validate(document).model_dump(mode="json")
        text = yaml.safe_dump(dumped, sort_keys=False, allow_unicode=True, width=100)
        return text.splitlines(keepends=True)

    return "".join(difflib.unified_diff(full(old), full(new), fromfile=old_name, tofile=new_name))


async def apply(
    store: Store, configuration: Configuration, *, actor: str, comment: str = ""
) -> int:
    """Activate `configuration` as a new version; returns its id. The caller commits."""
    document = configuration.model_dump(mode="json", exclude_defaults=True)
    previous = await store.configs.active()
    version = await store.configs.add_active(document, created_by=actor, comment=comment)
    await _materialise(store, configuration)
    await store.audit.record(
        actor=actor,
        action="config.apply",
        entity="config_version",
        entity_id=str(version),
        detail={"comment": comment, "previous": previous.id if previous else None},
    )
    return version


async def active_if_same(store: Store, configuration: Configuration) -> int | None:
    """The active version's id when it holds `configuration` already (applying it again would
    make a version that changes nothing), else None."""
    active = await store.configs.active()
    if active is None or validate(active.document) != configuration:
        return None
    return active.id


async def rollback(store: Store, version: int, *, actor: str) -> int:
    """Activate a copy of an earlier version as a new version (history stays linear)."""
    old = await store.configs.get(version)
    if old is None:
        raise UnknownVersion(version)
    configuration = validate(old.document)
    return await apply(store, configuration, actor=actor, comment=f"rollback to version {version}")


async def active_document(store: Store) -> tuple[int, dict[str, Any]]:
    active = await store.configs.active()
    if active is None:
        raise NoConfiguration()
    return active.id, active.document


async def document_of(store: Store, version: int) -> dict[str, Any]:
    found = await store.configs.get(version)
    if found is None:
        raise UnknownVersion(version)
    return found.document


async def history(store: Store) -> list[ConfigVersion]:
    """The latest versions, newest first."""
    return await store.configs.history()


async def _materialise(store: Store, configuration: Configuration) -> None:
    known = await store.configs.agent_keys()
    listed = {agent.key for agent in configuration.agents}
    agents = [_agent_row(agent) for agent in configuration.agents]
    await store.configs.materialise(
        teams=[{"key": t.key, "name": t.name} for t in configuration.teams],
        agents=agents,
        pipelines=[
            {"key": p.key, "name": p.name, "team_key": p.team, "timezone": p.timezone}
            for p in configuration.pipelines
        ],
        stages=[
            {"pipeline_key": p.key, "key": stage.key, "position": i, "type": stage.type.value}
            for p in configuration.pipelines
            for i, stage in enumerate(p.stages)
        ],
        memberships=[
            {"pipeline_key": p.key, "agent_key": m.agent, "weight": m.weight}
            for p in configuration.pipelines
            for m in p.pool.members
        ],
    )
    for departed in sorted(known - listed):
        await store.roster.set_status(departed, AgentStatus.LEFT.value)


def _agent_row(agent: Any) -> dict[str, Any]:
    return {
        "key": agent.key,
        "name": agent.name,
        "email": agent.email,
        "team_key": agent.team,
        "kind": agent.kind.value,
        "status": agent.status.value,
        "tier": agent.tier.value,
        "timezone": agent.timezone,
        "languages": agent.languages,
        "skills": agent.skills,
        "caps": agent.caps.model_dump(exclude_none=True),
    }
