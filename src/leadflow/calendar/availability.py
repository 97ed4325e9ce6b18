"""Whether an agent can take a lead at a moment: the calendar's answer to the router.

Reasons, when several apply, in this order: ON_LEAVE, HOLIDAY (of the team's calendar, on the
agent's local date), OFF_SHIFT. An agent without a schedule (a bot, an on-call number) is always
available. These functions compile the agent's calendar on each call (no state kept between
calls); hot loops hold `compile_calendar`'s result, as the live organisation does.
"""

from __future__ import annotations

from datetime import datetime

from leadflow.calendar.agent_calendar import AgentCalendar, compile_calendar
from leadflow.domain.configuration import Agent, Team
from leadflow.domain.roster import Availability


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
    """The compiled calendar of this (agent, team) pair."""
    return compile_calendar(agent, team)
