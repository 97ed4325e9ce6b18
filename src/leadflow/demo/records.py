"""The demo history's vocabulary: the lead it is told about, what every lead shares, and the rows
it produces (activities, tasks and the lead's state at `now`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from leadflow.demo.samples import Samples
from leadflow.demo.worktime import WorkingTime


class Rules(StrEnum):
    """The demo configuration's automations (demo/organisation.yaml)."""

    FIRST_ANSWERED_CALL = "first-answered-call"
    OFFER_EMAIL = "offer-email"
    OFFER_NOTE = "offer-note"
    UNREACHABLE = "unreachable"
    IDLE = "idle-two-days"


class Fate(StrEnum):
    UNTOUCHED = "untouched"
    UNREACHABLE = "unreachable"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class LeadFacts:
    id: int
    received_at: datetime
    assigned_at: datetime | None
    owner: str | None
    country: str | None = None
    language: str | None = None
    treatment: str | None = None
    budget: float | None = None
    bot: bool = False


@dataclass(frozen=True)
class Setting:
    """What every lead's history shares."""

    samples: Samples
    work: WorkingTime
    now: datetime
    seed: int
    config_version_id: int | None = None
    actors: Mapping[str, str] = field(default_factory=dict)
    """Agent key → the name a person's change is recorded under (their e-mail)."""


@dataclass(frozen=True)
class ActivityRow:
    ref: int
    """Unique within the lead; a CSAT answer names the call it rates by its ref."""
    kind: str
    occurred_at: datetime
    agent_key: str | None
    actor_kind: str = "user"
    actor: str | None = None
    rule_key: str | None = None
    config_version_id: int | None = None
    direction: str | None = None
    outcome: str | None = None
    channel: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: int | None = None
    talk_s: int | None = None
    wait_s: int | None = None
    score: int | None = None
    rates_ref: int | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    lost_reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskRow:
    title: str
    kind: str
    created_at: datetime
    due_at: datetime
    due_zone: str | None
    created_by: str | None
    status: str = "open"
    completed_at: datetime | None = None
    rule_key: str | None = None
    config_version_id: int | None = None
    lasts_past_close: bool = False
    """A task created as the lead closes (the last follow-up): closing does not cancel it."""


@dataclass(frozen=True)
class LeadState:
    stage: str
    stage_entered_at: datetime | None
    closed_at: datetime | None
    lost_reason: str | None
    first_contact_at: datetime | None
    last_activity_at: datetime | None
    treatment: str | None
    custom: dict[str, Any]


@dataclass(frozen=True)
class RunRow:
    """An automation that acted: on the activity `event_ref` (event key `activity:<id>`) or on
    the event `event_key` (`attempts:<lead>`, `idle:<lead>:<last activity>`)."""

    automation_key: str
    ran_at: datetime
    event_ref: int | None = None
    event_key: str | None = None


@dataclass(frozen=True)
class LeadHistory:
    lead_id: int
    owner: str
    fate: Fate
    activities: list[ActivityRow]
    tasks: list[TaskRow]
    state: LeadState
    runs: list[RunRow] = field(default_factory=list)
