"""Small factories for calendar scenarios: agents, teams and local moments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import (
    Agent,
    CompanyDay,
    HolidayCalendar,
    Leave,
    Schedule,
    ShiftOverride,
    Team,
    WeeklyPattern,
)

BERLIN = "Europe/Berlin"
ISTANBUL = "Europe/Istanbul"
OFFICE_HOURS = {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}


def at(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall-clock moment in `tz` (aware)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def pattern(**days: Any) -> WeeklyPattern:
    return WeeklyPattern.model_validate(days)


def schedule(
    weekly: WeeklyPattern | None = None,
    overrides: list[ShiftOverride] | None = None,
    leave: list[Leave] | None = None,
) -> Schedule:
    return Schedule(
        weekly=weekly if weekly is not None else pattern(**OFFICE_HOURS),
        overrides=overrides or [],
        leave=leave or [],
    )


def agent(tz: str = ISTANBUL, plan: Schedule | None = None, *, no_schedule: bool = False) -> Agent:
    return Agent(
        key="ayse",
        name="Ayşe",
        team="istanbul",
        timezone=tz,
        schedule=None if no_schedule else (plan or schedule()),
    )


def team(*countries: str, company_days: list[CompanyDay] | None = None) -> Team:
    calendar = HolidayCalendar(countries=list(countries), company_days=company_days or [])
    return Team(key="istanbul", name="Istanbul", holidays=calendar)


def override(day: date, *intervals: str) -> ShiftOverride:
    return ShiftOverride(date=day, intervals=list(intervals))


def leave(start: date, end: date, *intervals: str, kind: str = "annual") -> Leave:
    return Leave.model_validate(
        {"start": start, "end": end, "intervals": list(intervals), "type": kind}
    )


def company_day(day: date, name: str, *worked: str) -> CompanyDay:
    return CompanyDay(date=day, name=name, intervals=list(worked))
