"""The words of a decision: its outcome, how the agent was reached, why a candidate was not."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    ASSIGNED = "assigned"
    QUEUED = "queued"
    UNASSIGNED = "unassigned"
    NO_RULE = "no_rule"


class Via(StrEnum):
    """How the assigned agent was reached."""

    STICKY = "sticky"
    BACKUP = "backup"
    POOL = "pool"
    FALLBACK = "fallback"
    VIRTUAL_CONSULTANT = "virtual_consultant"
    ON_CALL = "on_call"


class ExclusionReason(StrEnum):
    """Why a candidate could not take the lead; `check` names the eligibility step."""

    PAUSED = "paused"
    LEFT = "left"
    UNKNOWN_AGENT = "unknown_agent"
    NOT_STARTED = "not_started"
    OFF_SHIFT = "off_shift"
    ON_LEAVE = "on_leave"
    HOLIDAY = "holiday"
    NO_SCHEDULE = "no_schedule"
    UNAVAILABLE = "unavailable"
    CAP_DAY = "cap_day"
    CAP_WEEK = "cap_week"
    CAP_MONTH = "cap_month"
    CAP_OPEN = "cap_open"
    LANGUAGE = "language"
    SKILL = "skill"
    WEIGHT_ZERO = "weight_zero"

    @property
    def check(self) -> str:
        return _CHECK_OF[self]


_CHECK_OF = {
    **dict.fromkeys(("paused", "left", "unknown_agent"), "status"),
    **dict.fromkeys(
        ("not_started", "off_shift", "on_leave", "holiday", "no_schedule", "unavailable"),
        "availability",
    ),
    **dict.fromkeys(("cap_day", "cap_week", "cap_month", "cap_open"), "caps"),
    "language": "language",
    "skill": "skill",
    "weight_zero": "weight",
}
