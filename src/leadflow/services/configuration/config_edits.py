"""Edits made on the configuration screens: each one changes a copy of the active document, which
is validated as a whole and applied as a new version (with its audit entry) by
`configuration.apply`.

The screens read their forms into plain values; the functions here put those values into the
document. An edit based on a version that is no longer active is refused (`StaleVersion`) rather
than silently undoing a change someone saved meanwhile.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Viewer, require
from leadflow.services.configuration import versions as config_service
from leadflow.services.configuration.agent_settings import StaleVersion
from leadflow.services.configuration.versions import ConfigurationError, Problem
from leadflow.storage.store import Store

Document = dict[str, Any]
Edit = Callable[[Document], None]
"""Changes the document in place."""

__all__ = [
    "ConfigurationError",
    "Problem",
    "StaleVersion",
    "UnknownEntry",
    "document_of",
    "draft",
    "save",
]


class UnknownEntry(Exception):
    """The team, pipeline, rule or agent named by the form is not in the configuration."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} does not exist")
        self.kind = kind
        self.key = key


def document_of(configuration: Configuration) -> Document:
    """The document as stored: defaults left out, so an edit changes only what it names."""
    return configuration.model_dump(mode="json", exclude_defaults=True)


def entry(document: Document, section: str, key: str) -> dict[str, Any]:
    """The team, agent, pipeline or rule `key` of `section` in the document (UnknownEntry)."""
    found = next((item for item in document.get(section, []) if item["key"] == key), None)
    if found is None:
        raise UnknownEntry(section.rstrip("s"), key)
    result: dict[str, Any] = found
    return result


def draft(configuration: Configuration, edit: Edit) -> Configuration:
    """The configuration with `edit` made, validated as a whole (ConfigurationError)."""
    document = copy.deepcopy(document_of(configuration))
    edit(document)
    return config_service.validate(document)


async def save(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    edit: Edit,
    *,
    allowed: bool,
    what: str,
    base_version: int,
    comment: str,
    default_comment: str,
) -> int | None:
    """Apply `edit` as a new version and return its number; None when nothing changed.

    `configuration` must be the active version `base_version` (else StaleVersion); `allowed` is
    the scoping answer for `what` (else Forbidden)."""
    require(allowed, what)
    active = await store.configs.locked_active_id()
    if active != base_version:  # None: another edit activated a version while we waited
        raise StaleVersion(base_version, active or await store.configs.active_id() or 0)
    before = document_of(configuration)
    after = copy.deepcopy(before)
    edit(after)
    if after == before:
        return None
    updated = config_service.validate(after)
    if document_of(updated) == before:
        return None
    note = comment.strip() or default_comment
    return await config_service.apply(store, updated, actor=viewer.actor, comment=note)


def problems_under(error: ConfigurationError, prefix: str) -> dict[str, str]:
    """Problems of the entry at `prefix` (e.g. `teams[2]`) by the path below it; the others
    under "" (the whole document)."""
    found: dict[str, str] = {}
    for problem in error.problems:
        if problem.location.startswith(prefix + "."):
            found.setdefault(problem.location.removeprefix(prefix + "."), problem.message)
        else:
            found.setdefault("", f"{problem.location}: {problem.message}")
    return found


def index_of(document: Document, section: str, key: str) -> int:
    return next(i for i, item in enumerate(document.get(section, [])) if item["key"] == key)


def rules_in_order(document: Document) -> list[dict[str, Any]]:
    """The rules as they run: by priority, ties in document order (disabled ones too)."""
    rules: list[dict[str, Any]] = document.get("rules", [])
    return sorted(rules, key=lambda rule: rule.get("priority", 100))


def move_rule(document: Document, key: str, step: int) -> None:
    """Move rule `key` `step` places (-1: earlier) and number the priorities 10, 20, 30…"""
    ordered = rules_in_order(document)
    position = next((i for i, rule in enumerate(ordered) if rule["key"] == key), None)
    if position is None:
        raise UnknownEntry("rule", key)
    target = min(max(position + step, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(position))
    for number, rule in enumerate(ordered, start=1):
        rule["priority"] = number * 10
    document["rules"] = ordered


def put_rule(document: Document, original_key: str | None, rule: dict[str, Any]) -> None:
    """Replace rule `original_key` by `rule`, or add `rule` when `original_key` is None."""
    rules: list[dict[str, Any]] = document.setdefault("rules", [])
    if original_key is None:
        rules.append(rule)
        return
    rules[index_of(document, "rules", original_key)] = rule


def remove_rule(document: Document, key: str) -> None:
    document["rules"] = [r for r in document.get("rules", []) if r["key"] != key]


def update(section: str, key: str, values: dict[str, Any]) -> Edit:
    """Set the named fields of team, pipeline or agent `key` of `section`; the others are kept."""

    def edit(document: Document) -> None:
        entry(document, section, key).update(values)

    return edit


def plan_shifts(plans: dict[str, dict[str, Any]]) -> Edit:
    """Set each agent's weekly pattern and overrides (plans by agent key); their leave is kept."""

    def edit(document: Document) -> None:
        for key, plan in plans.items():
            entry(document, "agents", key).setdefault("schedule", {}).update(plan)

    return edit


def add_leave(agent: str, leave: dict[str, Any]) -> Edit:
    def edit(document: Document) -> None:
        schedule = entry(document, "agents", agent).setdefault("schedule", {})
        schedule.setdefault("leave", []).append(leave)

    return edit


def remove_leave(agent: str, index: int) -> Edit:
    """Remove the agent's leave at `index` of their leave list (what the screen showed)."""

    def edit(document: Document) -> None:
        del entry(document, "agents", agent)["schedule"]["leave"][index]

    return edit


def reweigh(pipeline: str, weights: dict[str, int | None]) -> Edit:
    """Give the pool's members these weights (by agent key, in the pool's order)."""

    def edit(document: Document) -> None:
        pool = entry(document, "pipelines", pipeline).setdefault("pool", {})
        pool["members"] = [{"agent": agent, "weight": weight} for agent, weight in weights.items()]

    return edit


def save_rule(original_key: str | None, rule: dict[str, Any]) -> Edit:
    """Replace rule `original_key` by `rule`, or add `rule` when `original_key` is None."""
    return lambda document: put_rule(document, original_key, rule)


def shift_rule(key: str, step: int) -> Edit:
    return lambda document: move_rule(document, key, step)


def drop_rule(key: str) -> Edit:
    return lambda document: remove_rule(document, key)
