"""Whether one agent can take the lead now, and if not, the first reason why.

Checks run in a fixed order — status, availability, caps, language, skill, weight — and the
first that fails is the agent's exclusion, so every candidate ends eligible or with exactly one
primary reason. The `*_exclusion` functions check and describe; `unavailable`, `capped`,
`misfit` and `weightless` only describe, for the pool loop, which runs the checks inline.
"""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import AgentStatus
from leadflow.domain.reasons import Param, on_date
from leadflow.domain.roster import AgentSnapshot, Availability, Load, Unavailability
from leadflow.routing.compiled import CompiledAgent
from leadflow.routing.decision import Exclusion, ExclusionReason

_UNAVAILABLE = {
    Unavailability.OFF_SHIFT: ExclusionReason.OFF_SHIFT,
    Unavailability.ON_LEAVE: ExclusionReason.ON_LEAVE,
    Unavailability.HOLIDAY: ExclusionReason.HOLIDAY,
    Unavailability.NO_SCHEDULE: ExclusionReason.NO_SCHEDULE,
}


def status_exclusion(agent: CompiledAgent, *, only_left: bool = False) -> Exclusion | None:
    """Paused or left; with `only_left` (virtual consultant, on-call) a pause does not count."""
    if agent.status is AgentStatus.LEFT:
        return Exclusion(agent.key, ExclusionReason.LEFT)
    if agent.status is AgentStatus.PAUSED and not only_left:
        return Exclusion(agent.key, ExclusionReason.PAUSED)
    return None


def availability_exclusion(
    agent: CompiledAgent, availability: Availability, now: datetime
) -> Exclusion | None:
    """Not started yet (by `started_on`), or not available by the calendar; `now` in UTC."""
    if availability.available and (agent.starts_at is None or now >= agent.starts_at):
        return None
    return unavailable(agent, availability, now)


def unavailable(agent: CompiledAgent, availability: Availability, now: datetime) -> Exclusion:
    if agent.starts_at is not None and now < agent.starts_at:
        started = on_date(agent.starts_at.astimezone(agent.zone).date(), with_year=True)
        return Exclusion(agent.key, ExclusionReason.NOT_STARTED, (started,))
    # A replay hands the same Availability object for every lead of an agent's time off: the
    # agent remembers its last answer. By identity, holding the object (so a recycled id cannot
    # match), replaced in one store (so threads never see half of it).
    last = agent.last_unavailable[0]
    if last is not None and last[0] is availability:
        return last[1]
    known = availability.reason and _UNAVAILABLE.get(availability.reason)
    detail = availability.detail or None
    exclusion = Exclusion(agent.key, known or ExclusionReason.UNAVAILABLE, (), detail)
    agent.last_unavailable[0] = (availability, exclusion)
    return exclusion


def caps_exclusion(agent: CompiledAgent, load: Load) -> Exclusion | None:
    """The first cap (day, week, month, open) the agent's load has reached."""
    if agent.cap_day is not None and load.day >= agent.cap_day:
        return _capped(agent, ExclusionReason.CAP_DAY, load.day, agent.cap_day)
    if agent.cap_week is not None and load.week >= agent.cap_week:
        return _capped(agent, ExclusionReason.CAP_WEEK, load.week, agent.cap_week)
    if agent.cap_month is not None and load.month >= agent.cap_month:
        return _capped(agent, ExclusionReason.CAP_MONTH, load.month, agent.cap_month)
    if agent.cap_open is not None and load.open >= agent.cap_open:
        return _capped(agent, ExclusionReason.CAP_OPEN, load.open, agent.cap_open)
    return None


def capped(agent: CompiledAgent, load: Load) -> Exclusion:
    exclusion = caps_exclusion(agent, load)
    assert exclusion is not None  # only called once a cap has been seen reached
    return exclusion


def _capped(agent: CompiledAgent, reason: ExclusionReason, count: int, cap: int) -> Exclusion:
    return Exclusion(agent.key, reason, (count, cap))


def misfit(agent: CompiledAgent, language: str | None, treatment: str | None) -> Exclusion:
    if language and agent.languages and language not in agent.languages:
        facts: tuple[Param, ...] = (language, agent.languages_text)
        return Exclusion(agent.key, ExclusionReason.LANGUAGE, facts)
    return Exclusion(agent.key, ExclusionReason.SKILL, (treatment or "", agent.skills_text))


def weightless(agent: CompiledAgent) -> Exclusion:
    return Exclusion(agent.key, ExclusionReason.WEIGHT_ZERO)


def owner_exclusion(
    agent: CompiledAgent, snapshot: AgentSnapshot, now: datetime
) -> Exclusion | None:
    """The checks a sticky owner or a backup must pass: status, availability, caps."""
    return (
        status_exclusion(agent)
        or availability_exclusion(agent, snapshot.availability, now)
        or (caps_exclusion(agent, snapshot.load) if agent.has_caps else None)
    )


def unknown_agent(key: str) -> Exclusion:
    return Exclusion(key, ExclusionReason.UNKNOWN_AGENT)
