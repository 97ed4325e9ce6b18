"""How a pipeline hands out its leads: pool strategy, no-agent fallback, repeats, SLA, ramp-up."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from leadflow.domain.configuration.base import Frozen, Key, TimeZoneName
from leadflow.domain.configuration.people import Tier
from leadflow.domain.configuration.schedules import WeeklyPattern
from leadflow.domain.configuration.workflow import (
    LostReason,
    Stage,
    StageType,
    default_lost_reasons,
    default_stages,
)


class Strategy(StrEnum):
    WEIGHTED_RATIO = "weighted_ratio"
    LEAST_LOADED = "least_loaded"
    ROUND_ROBIN = "round_robin"
    TIER = "tier"


class PoolMember(Frozen):
    agent: Key
    weight: int = Field(default=1, ge=0, le=1000)


class TierBand(Frozen):
    """Leads whose `field` is at least `min` go to `tiers`, best first, falling back in order."""

    field: Literal["score", "budget"] = "score"
    min: float = 0
    tiers: list[Tier]


class Pool(Frozen):
    strategy: Strategy = Strategy.WEIGHTED_RATIO
    members: list[PoolMember] = Field(default_factory=list)
    tier_bands: list[TierBand] = Field(default_factory=list)
    """For `strategy: tier`; bands are tried from the highest `min` down."""


class NoAgentAction(StrEnum):
    QUEUE = "queue"
    VIRTUAL_CONSULTANT = "virtual_consultant"
    ON_CALL = "on_call"
    ALERT = "alert"


class NoAgentPolicy(Frozen):
    action: NoAgentAction = NoAgentAction.QUEUE
    agent: Key | None = None
    """The bot (virtual_consultant) or on-call agent."""

    @model_validator(mode="after")
    def _agent_named(self) -> Self:
        needs_agent = self.action in (NoAgentAction.VIRTUAL_CONSULTANT, NoAgentAction.ON_CALL)
        if needs_agent and self.agent is None:
            raise ValueError(f"action {self.action.value} needs an agent")
        return self


class OwnerAway(StrEnum):
    BACKUP = "backup"
    POOL = "pool"


class RepeatPolicy(Frozen):
    """Sticky owner: a repeat lead goes back to the contact's previous owner when eligible."""

    sticky: bool = True
    when_owner_away: OwnerAway = OwnerAway.POOL


class Sla(Frozen):
    first_contact_minutes: int = Field(default=15, gt=0)
    max_reassignments: int = Field(default=2, ge=0)


class RampUp(Frozen):
    """A new agent receives `share` of their weight for their first `days` days."""

    days: int = Field(default=14, ge=0)
    share: float = Field(default=0.5, gt=0, le=1)


class Pipeline(Frozen):
    key: Key
    name: str
    team: Key
    timezone: TimeZoneName = "Europe/Istanbul"
    treatment: str | None = None
    language: str | None = None
    stages: list[Stage] = Field(default_factory=default_stages, min_length=1)
    """In order; the first is where a routed lead starts and must be open."""
    lost_reasons: list[LostReason] = Field(default_factory=default_lost_reasons)
    """What a lead moved to a lost stage must be given."""
    pool: Pool = Field(default_factory=Pool)
    when_no_agent: NoAgentPolicy = Field(default_factory=NoAgentPolicy)
    repeats: RepeatPolicy = Field(default_factory=RepeatPolicy)
    sla: Sla = Field(default_factory=Sla)
    business_hours: WeeklyPattern | None = None
    """Hours in which SLA minutes run; None means while someone active in the pool works."""

    @model_validator(mode="after")
    def _stages_make_sense(self) -> Self:
        keys = [stage.key for stage in self.stages]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise ValueError(f"stages: {', '.join(twice)} used twice")
        if self.stages[0].type is not StageType.OPEN:
            raise ValueError(f"stages: the first stage ({keys[0]}) must be open")
        reasons = [reason.key for reason in self.lost_reasons]
        if len(set(reasons)) != len(reasons):
            raise ValueError("lost_reasons: a reason is listed twice")
        if any(stage.type is StageType.LOST for stage in self.stages) and not reasons:
            raise ValueError("lost_reasons: a pipeline with a lost stage needs lost reasons")
        return self

    def stage(self, key: str | None) -> Stage | None:
        return next((stage for stage in self.stages if stage.key == key), None)

    @property
    def stage_keys(self) -> list[str]:
        return [stage.key for stage in self.stages]

    def lost_reason(self, key: str | None) -> LostReason | None:
        return next((reason for reason in self.lost_reasons if reason.key == key), None)
