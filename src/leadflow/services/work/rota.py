"""Who is on shift now, who is on leave this week, when an agent is next available."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Agent, Leave
from leadflow.domain.reasons import Reason
from leadflow.services.configuration.organisation import Organisation


@dataclass(frozen=True)
class AgentNow:
    key: str
    name: str
    team: str
    status: str
    kind: str
    available: bool
    reason: str | None
    detail: str | Reason
    """The calendar's words, rendered in the reader's language by the shell."""
    next_available_at: datetime | None
    local_time: str
    """'Mon 09:00 Europe/Berlin', in English (the API's and the CLI's); pages use `local_at`."""
    local_at: datetime
    """Now in the agent's time zone."""
    leave_this_week: list[dict[str, str]] = field(default_factory=list)


def rota(organisation: Organisation, now: datetime, *, team: str | None = None) -> list[AgentNow]:
    agents = organisation.configuration.agents
    return [_now(organisation, a, now) for a in agents if team is None or a.team == team]


def _now(organisation: Organisation, agent: Agent, now: datetime) -> AgentNow:
    availability = organisation.availability(agent.key, now)
    calendar = organisation.calendars.get(agent.key)
    available = availability.available and agent.status.value == "active"
    local = now.astimezone(ZoneInfo(agent.timezone))
    return AgentNow(
        key=agent.key,
        name=agent.name,
        team=agent.team,
        status=agent.status.value,
        kind=agent.kind.value,
        available=available,
        reason=availability.reason.value
        if availability.reason
        else (None if available else agent.status.value),
        detail=availability.detail,
        next_available_at=(
            None if available or calendar is None else calendar.next_availability(now)
        ),
        local_time=f"{local:%a %H:%M} {agent.timezone}",
        local_at=local,
        leave_this_week=[_leave(item) for item in _this_week(agent, local.date())],
    )


def _this_week(agent: Agent, today: date) -> list[Leave]:
    if agent.schedule is None:
        return []
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    return [item for item in agent.schedule.leave if item.start <= sunday and item.end >= monday]


def _leave(item: Leave) -> dict[str, str]:
    return {"start": item.start.isoformat(), "end": item.end.isoformat(), "type": item.type.value}
