"""Shifts, time zones, holidays and working minutes: pure, `now` is always an argument."""

from leadflow.calendar.agent_calendar import (
    HORIZON_DAYS,
    AgentCalendar,
    Timestamps,
    compile_calendar,
)
from leadflow.calendar.availability import availability, calendar_of, next_availability, on_shift
from leadflow.calendar.holidays import Holiday, HolidayBook
from leadflow.calendar.shifts import shift_spans
from leadflow.calendar.spans import Span
from leadflow.calendar.working_time import (
    NoWorkingTime,
    add_shift_minutes,
    add_working_minutes,
    working_minutes_between,
)

__all__ = [
    "HORIZON_DAYS",
    "AgentCalendar",
    "Holiday",
    "HolidayBook",
    "NoWorkingTime",
    "Span",
    "Timestamps",
    "add_shift_minutes",
    "add_working_minutes",
    "availability",
    "calendar_of",
    "compile_calendar",
    "next_availability",
    "on_shift",
    "shift_spans",
    "working_minutes_between",
]
