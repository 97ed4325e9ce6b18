"""Change one agent's settings: a copy of the active configuration with the change, applied as a
new version (with its audit entry) through `configuration.apply`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadflow.domain.configuration import AgentStatus, Configuration, Tier
from leadflow.services.access.scoping import Viewer, can_edit_agent, require
from leadflow.services.configuration import versions as config_service
from leadflow.storage.store import Store


class UnknownAgent(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"agent {key!r} does not exist")
        self.key = key


class StaleVersion(Exception):
    """The configuration changed since the form was opened; the edit would undo someone's work."""

    def __init__(self, expected: int, active: int) -> None:
        super().__init__(f"the form was based on version {expected}; version {active} is active")
        self.expected = expected
        self.active = active


@dataclass(frozen=True)
class AgentSettings:
    """The fields of an agent that the agent form edits."""

    languages: tuple[str, ...]
    skills: tuple[str, ...]
    tier: Tier
    timezone: str
    status: AgentStatus
    caps: dict[str, int | None]

    def as_document(self) -> dict[str, Any]:
        return {
            "languages": list(self.languages),
            "skills": list(self.skills),
            "tier": self.tier.value,
            "timezone": self.timezone,
            "status": self.status.value,
            "caps": {name: value for name, value in self.caps.items() if value is not None},
        }


def settings_of(configuration: Configuration, key: str) -> AgentSettings:
    agent = _agent(configuration, key)
    return AgentSettings(
        languages=tuple(agent.languages),
        skills=tuple(agent.skills),
        tier=agent.tier,
        timezone=agent.timezone,
        status=agent.status,
        caps=agent.caps.model_dump(),
    )


def _agent(configuration: Configuration, key: str) -> Any:
    found = next((agent for agent in configuration.agents if agent.key == key), None)
    if found is None:
        raise UnknownAgent(key)
    return found


def with_agent_settings(
    configuration: Configuration, key: str, settings: AgentSettings
) -> Configuration:
    """The configuration with agent `key` changed; validated as a whole (ConfigurationError)."""
    document = configuration.model_dump(mode="json", exclude_defaults=True)
    for agent in document["agents"]:
        if agent["key"] == key:
            agent.update(settings.as_document())
            break
    else:
        raise UnknownAgent(key)
    return config_service.validate(document)


def changed_fields(before: AgentSettings, after: AgentSettings) -> list[str]:
    return [
        name
        for name in before.__dataclass_fields__
        if getattr(before, name) != getattr(after, name)
    ]


async def update_agent(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    key: str,
    settings: AgentSettings,
    *,
    base_version: int,
    comment: str = "",
) -> int | None:
    """Apply the change as a new version and return its id; None when nothing changed.

    `configuration` must be the active version `base_version`; an edit based on an older version
    is refused (StaleVersion) rather than silently undoing a change made meanwhile.
    """
    require(can_edit_agent(viewer, _agent(configuration, key)), f"agent {key}")
    active = await store.configs.active_id()
    if active != base_version:
        raise StaleVersion(base_version, active or 0)
    changes = changed_fields(settings_of(configuration, key), settings)
    if not changes:
        return None
    updated = with_agent_settings(configuration, key, settings)
    note = comment.strip() or f"agent {key}: {', '.join(changes)}"
    return await config_service.apply(store, updated, actor=viewer.actor, comment=note)
