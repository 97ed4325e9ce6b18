"""The automation engine, pure: an event on a lead in, the automations' planned actions out.

The services build the `Event` (the lead as it is, what happened, the facts a trigger needs) and
apply the plans; this module decides which automations fire. An automation fires for an event
when it is enabled, acts on the lead's pipeline, its trigger matches the event and its `when`
condition holds on the lead. Each plan carries the event's key: the services record one run per
(event key, automation key), which is what makes a repeated event fire nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadflow.domain.configuration import Action, Automation, Configuration

MAX_DEPTH = 3
"""How deep automations may trigger automations (a move fires `stage_entered`)."""


@dataclass(frozen=True)
class LeadState:
    """The lead as an automation sees it."""

    id: int
    pipeline: str | None
    stage: str | None
    owner: str | None
    closed: bool
    received_at: datetime
    values: Mapping[str, Any] = field(default_factory=dict)
    """The lead's columns a condition may read (country, treatment, budget, source, utm_*…)."""
    custom: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    kind: str
    """One of `EVENTS`: lead_created, activity_logged, message_received, stage_entered,
    task_overdue, no_activity, failed_attempts."""
    key: str
    """Unique per occurrence ("activity:123", "stage:456", "lead:7", "task:9",
    "idle:7:<last activity time>", "attempts:7"): the idempotency key of what it triggers."""
    lead: LeadState
    at: datetime
    activity_kind: str | None = None
    outcome: str | None = None
    note_type: str | None = None
    channel: str | None = None
    stage: str | None = None
    """stage_entered: the stage entered."""
    idle_working_hours: float | None = None
    """no_activity: working hours (of the pipeline's calendar) since the last activity."""
    failed_attempt_times: tuple[datetime, ...] = ()
    """failed_attempts: the lead's unanswered call attempts, oldest first, this one last."""
    depth: int = 0
    """How many automations led to this event (0: a person or the clock)."""


@dataclass(frozen=True)
class Plan:
    automation: Automation
    actions: tuple[Action, ...]
    event_key: str


def plan(event: Event, configuration: Configuration) -> list[Plan]:
    """The automations that fire for `event`, in configuration order."""
    raise NotImplementedError
