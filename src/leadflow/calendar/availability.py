"""Whether an agent can take a lead at a moment: the calendar's answer to the router.

Reasons, when several apply, in this order: ON_LEAVE, HOLIDAY (of the team's calendar, on the
agent's local date), OFF_SHIFT. An agent without a schedule (a bot, an on-call number) is always
available. These functions compile the agent's calendar once per (agent, team) pair and keep it
while both objects are alive in a small cache; hot loops may hold `compile_calendar`'s result.
"""

from __future__ import annotations

from datetime import datetime

from leadflow.calendar.agent_calendar import AgentCalendar, compile_calendar
from leadflow.domain.configuration import Agent, Team
from leadflow.domain.roster import Availability

_MAX_COMPILED = 4096
_compiled: dict[tuple[int, int], AgentCalendar] = {}


def availability(agent: Agent, team: Team, now: datetime) -> Availability:
    """Whether `agent` can take a lead at `now` (aware), why not, and from when."""
    return calendar_of(agent, team).availability(now)


def next_availability(agent: Agent, team: Team, now: datetime) -> datetime | None:
    """`now` when the agent is available, else the next such moment within 60 days, else None."""
    return calendar_of(agent, team).next_availability(now)


def on_shift(agent: Agent, team: Team, now: datetime) -> bool:
    """Working at `now`: inside a shift and neither on leave nor on holiday."""
    return calendar_of(agent, team).on_shift(now)


def calendar_of(agent: Agent, team: Team) -> AgentCalendar:
    """The compiled calendar of this very (agent, team) pair, compiled on first use.

    Keyed by identity: the cached calendar holds both objects, so their ids cannot be reused
    while it is cached. Configuration objects are frozen, so a change is a new object.
    """
    key = (id(agent), id(team))
    found = _compiled.get(key)
    if found is not None and found.agent is agent and found.team is team:
        return found
    if len(_compiled) >= _MAX_COMPILED:
        _compiled.clear()
    calendar = _compiled[key] = compile_calendar(agent, team)
    return calendar
