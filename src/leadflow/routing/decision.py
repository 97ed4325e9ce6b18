"""The engine's answer for one lead, the trace of every step that led to it, and its account
in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.configuration import NoAgentAction, Strategy
from leadflow.domain.reasons import Param, Reason, as_text
from leadflow.domain.roster import PoolState
from leadflow.routing.outcomes import ExclusionReason as ExclusionReason
from leadflow.routing.outcomes import Outcome as Outcome
from leadflow.routing.outcomes import Via as Via

# The value types of a decision spell out their `__init__`. The dataclass-generated one is
# Python code that the compiled engine would have to call for every object it builds (40% of
# its time); written out, mypyc compiles it too (docs/decisions/0006). Keep each in step with
# its fields.


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why `agent` could not take the lead: the reason's code, its `facts` (the values its
    sentence names, in the order of `FACT_NAMES`), or the calendar's `detail` in their place.

    The words are built only when read (`words`, `message`): an exclusion is made for every
    excluded member of every pool tried, and most are never read.
    """

    agent: str
    reason: ExclusionReason
    facts: tuple[Param, ...]
    detail: Param | None

    def __init__(
        self,
        agent: str,
        reason: ExclusionReason,
        facts: tuple[Param, ...] = (),
        detail: Param | None = None,
    ) -> None:
        object.__setattr__(self, "agent", agent)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "facts", facts)
        object.__setattr__(self, "detail", detail)

    @property
    def params(self) -> dict[str, Param]:
        names = FACT_NAMES.get(self.reason, ())
        return {"agent": self.agent, **dict(zip(names, self.facts, strict=True))}

    @property
    def words(self) -> Reason:
        if isinstance(self.detail, Reason):
            return self.detail
        if self.detail is not None:
            return as_text(str(self.detail))
        return Reason("exclusion." + self.reason.value, self.params)

    @property
    def message(self) -> str:
        """The words in English."""
        return str(self.words)


FACT_NAMES: dict[ExclusionReason, tuple[str, ...]] = {
    ExclusionReason.NOT_STARTED: ("day",),
    ExclusionReason.CAP_DAY: ("count", "cap"),
    ExclusionReason.CAP_WEEK: ("count", "cap"),
    ExclusionReason.CAP_MONTH: ("count", "cap"),
    ExclusionReason.CAP_OPEN: ("count", "cap"),
    ExclusionReason.LANGUAGE: ("language", "languages"),
    ExclusionReason.SKILL: ("treatment", "skills"),
}


@dataclass(frozen=True, slots=True)
class Attempt:
    """One pipeline tried: who was considered, who was excluded and why, who the strategy chose.

    `scores` holds the number the strategy compared: for weighted ratio and tier, each member's
    credit, the eligible ones' with this lead's share added, counted in 1/scores["~lead"] of a
    lead (see routing.choice.quota); for least loaded, open leads per
    unit of weight of each eligible agent (lowest wins); empty for round robin, whose order is
    the member list.
    """

    pipeline: str
    strategy: Strategy
    candidates: tuple[str, ...]
    exclusions: tuple[Exclusion, ...]
    eligible: tuple[str, ...]
    chosen: str | None
    why: Reason
    scores: Mapping[str, int] | Mapping[str, float]

    def __init__(
        self,
        pipeline: str,
        strategy: Strategy,
        candidates: tuple[str, ...],
        exclusions: tuple[Exclusion, ...],
        eligible: tuple[str, ...],
        chosen: str | None,
        why: Reason,
        scores: Mapping[str, int] | Mapping[str, float] | None = None,
    ) -> None:
        object.__setattr__(self, "pipeline", pipeline)
        object.__setattr__(self, "strategy", strategy)
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "exclusions", exclusions)
        object.__setattr__(self, "eligible", eligible)
        object.__setattr__(self, "chosen", chosen)
        object.__setattr__(self, "why", why)
        object.__setattr__(self, "scores", {} if scores is None else scores)

    @property
    def reason(self) -> str:
        return str(self.why)

    def exclusion_of(self, agent: str) -> Exclusion | None:
        return next((e for e in self.exclusions if e.agent == agent), None)


@dataclass(frozen=True, slots=True)
class StickyCheck:
    """A repeat lead's way back to its owner: to the owner, the owner's backup, or the pool."""

    owner: str
    owner_exclusion: Exclusion | None
    backup: str | None
    backup_exclusion: Exclusion | None
    result: Via
    why: Reason

    def __init__(
        self,
        owner: str,
        owner_exclusion: Exclusion | None,
        backup: str | None,
        backup_exclusion: Exclusion | None,
        result: Via,
        why: Reason,
    ) -> None:
        object.__setattr__(self, "owner", owner)
        object.__setattr__(self, "owner_exclusion", owner_exclusion)
        object.__setattr__(self, "backup", backup)
        object.__setattr__(self, "backup_exclusion", backup_exclusion)
        object.__setattr__(self, "result", result)
        object.__setattr__(self, "why", why)

    @property
    def reason(self) -> str:
        return str(self.why)


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a lead goes and why. `pool_state` is the new memory of the pool that chose."""

    outcome: Outcome
    agent: str | None
    pipeline: str | None
    rule: str | None
    via: Via | None
    no_agent_action: NoAgentAction | None
    why: Reason
    rules_checked: tuple[str, ...]
    """Rules evaluated in order; all but the matching `rule` (the last, if any) did not match."""
    attempts: tuple[Attempt, ...]
    sticky: StickyCheck | None
    no_agent_exclusion: Exclusion | None
    """Why the virtual consultant or on-call agent of the no-agent policy could not take it."""
    pool_state: PoolState | None
    config_version: int | None
    decided_at: datetime

    def __init__(
        self,
        outcome: Outcome,
        agent: str | None,
        pipeline: str | None,
        rule: str | None,
        via: Via | None,
        no_agent_action: NoAgentAction | None,
        why: Reason,
        rules_checked: tuple[str, ...],
        attempts: tuple[Attempt, ...],
        sticky: StickyCheck | None,
        no_agent_exclusion: Exclusion | None,
        pool_state: PoolState | None,
        config_version: int | None,
        decided_at: datetime,
    ) -> None:
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "agent", agent)
        object.__setattr__(self, "pipeline", pipeline)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "via", via)
        object.__setattr__(self, "no_agent_action", no_agent_action)
        object.__setattr__(self, "why", why)
        object.__setattr__(self, "rules_checked", rules_checked)
        object.__setattr__(self, "attempts", attempts)
        object.__setattr__(self, "sticky", sticky)
        object.__setattr__(self, "no_agent_exclusion", no_agent_exclusion)
        object.__setattr__(self, "pool_state", pool_state)
        object.__setattr__(self, "config_version", config_version)
        object.__setattr__(self, "decided_at", decided_at)

    @property
    def reason(self) -> str:
        """Why, in English (`why` is the code and parameters, for other languages)."""
        return str(self.why)

    def to_trace(self) -> dict[str, Any]:
        """A JSON-serialisable record with stable keys, for storage and the API."""
        from leadflow.routing.explanation.trace import decision_trace  # trace.py builds decisions

        return decision_trace(self)

    @classmethod
    def from_trace(cls, trace: Mapping[str, Any]) -> Decision:
        """Rebuild a decision from `to_trace()` output (e.g. to answer "why not me?" later)."""
        from leadflow.routing.explanation.trace import decision_from  # trace.py builds decisions

        return decision_from(trace)

    def explain(self) -> str:
        """Readable multi-line account of the decision, in English (`routing.explanation.account`
        gives it in other languages)."""
        from leadflow.routing.explanation.account import account_text  # it reads decisions

        return account_text(self)
