"""Who takes leads: teams and agents, with their tiers, caps, schedules and leave policies."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from leadflow.domain.configuration.base import Frozen, Key, TimeZoneName
from leadflow.domain.configuration.schedules import HolidayCalendar, Schedule


class AgentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Tier(StrEnum):
    """Performance tiers, best first (the seeds' four groups)."""

    HIGH = "high"
    DEVELOPING = "developing"
    LOW = "low"
    NEW = "new"


class AgentKind(StrEnum):
    HUMAN = "human"
    BOT = "bot"  # a virtual sales consultant that takes leads by API


class Caps(Frozen):
    """New leads per day, week and month (in the agent's time zone) and open leads at once."""

    day: int | None = Field(default=None, ge=0)
    week: int | None = Field(default=None, ge=0)
    month: int | None = Field(default=None, ge=0)
    open: int | None = Field(default=None, ge=0)


class LeavePolicy(StrEnum):
    """What happens to an agent's open leads when they leave or start leave."""

    KEEP_WITH_BACKUP = "keep_with_backup"  # a named backup works them; they return after leave
    REDISTRIBUTE = "redistribute"  # routed again through the pool now


class Team(Frozen):
    key: Key
    name: str
    leads: list[str] = Field(default_factory=list, description="e-mails of the team leads")
    timezone: TimeZoneName | None = None
    """Where the team works, for its calendar screens; each agent keeps their own time zone."""
    holidays: HolidayCalendar = Field(default_factory=HolidayCalendar)
    on_leave: LeavePolicy = LeavePolicy.KEEP_WITH_BACKUP
    on_exit: LeavePolicy = LeavePolicy.REDISTRIBUTE


class Agent(Frozen):
    key: Key
    name: str
    email: str | None = None
    team: Key
    kind: AgentKind = AgentKind.HUMAN
    status: AgentStatus = AgentStatus.ACTIVE
    languages: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list, description="treatments the agent sells")
    tier: Tier = Tier.DEVELOPING
    timezone: TimeZoneName = "Europe/Istanbul"
    caps: Caps = Field(default_factory=Caps)
    schedule: Schedule | None = Field(
        default=None, description="None means always available (bots, on-call numbers)"
    )
    started_on: date | None = None
    backup: Key | None = None

    @field_validator("languages")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]
