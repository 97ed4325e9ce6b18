"""When agents work: weekly patterns, overrides, leave and holiday calendars (local wall-clock)."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from leadflow.domain.configuration.base import Frozen

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Interval(Frozen):
    """Local wall-clock interval; `end <= start` means the shift crosses midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Interval:
        match = _INTERVAL.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an interval like '09:00-17:30'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise ValueError(f"{text!r} has an impossible time")
        end = time(0, 0) if h2 == 24 else time(h2, m2)
        return cls(start=time(h1, m1), end=end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _intervals(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [Interval.parse(v) if isinstance(v, str) else v for v in value]
    return value


class WeeklyPattern(Frozen):
    """Working intervals per weekday; split shifts are several intervals on one day."""

    mon: list[Interval] = Field(default_factory=list)
    tue: list[Interval] = Field(default_factory=list)
    wed: list[Interval] = Field(default_factory=list)
    thu: list[Interval] = Field(default_factory=list)
    fri: list[Interval] = Field(default_factory=list)
    sat: list[Interval] = Field(default_factory=list)
    sun: list[Interval] = Field(default_factory=list)

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)

    def on(self, weekday: int) -> list[Interval]:
        """Intervals of ISO weekday index 0 (Monday) … 6 (Sunday)."""
        result: list[Interval] = getattr(self, WEEKDAYS[weekday])
        return result


class ShiftOverride(Frozen):
    """A date that differs from the weekly pattern: a day off, or other hours (swap, extra)."""

    date: date
    intervals: list[Interval] = Field(default_factory=list)
    reason: str = ""

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)


class LeaveType(StrEnum):
    ANNUAL = "annual"
    SICK = "sick"
    TRAINING = "training"
    OTHER = "other"


class Leave(Frozen):
    """Leave from `start` to `end` inclusive; with `intervals`, only those hours of each day."""

    start: date
    end: date
    type: LeaveType = LeaveType.ANNUAL
    intervals: list[Interval] = Field(default_factory=list)
    note: str = ""

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("leave ends before it starts")
        return self


class CompanyDay(Frozen):
    """A company day off, or a half day when `intervals` gives the hours still worked."""

    date: date
    name: str
    intervals: list[Interval] = Field(default_factory=list)

    @field_validator("intervals", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _intervals(value)


class HolidayCalendar(Frozen):
    """Public and religious holidays of `countries` (the `holidays` package) and company days."""

    countries: list[str] = Field(default_factory=list)
    subdivisions: dict[str, str] = Field(default_factory=dict)
    """Country → subdivision code of the `holidays` package (e.g. DE → BY) for regional days."""
    company_days: list[CompanyDay] = Field(default_factory=list)

    @field_validator("countries")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [c.upper() for c in value]

    @field_validator("subdivisions")
    @classmethod
    def _upper_countries(cls, value: dict[str, str]) -> dict[str, str]:
        return {country.upper(): code for country, code in value.items()}


class Schedule(Frozen):
    """An agent's working time in the agent's own time zone."""

    weekly: WeeklyPattern = Field(default_factory=WeeklyPattern)
    overrides: list[ShiftOverride] = Field(default_factory=list)
    leave: list[Leave] = Field(default_factory=list)
