"""The human words of an unavailability, independent of the machine's locale."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from leadflow.calendar.timeline import OnHoliday, OnLeave, State

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_month(day: date) -> str:
    """'29 May'."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def local_moment(moment: datetime, tz: ZoneInfo) -> str:
    """'Mon 1 Jun 09:00 Europe/Berlin'."""
    local = moment.astimezone(tz)
    return f"{_WEEKDAYS[local.weekday()]} {day_month(local.date())} {local:%H:%M} {tz.key}"


def describe(state: State, next_free: datetime | None, tz: ZoneInfo, horizon_days: int) -> str:
    """'on annual leave until 29 May', 'holiday: Kurban Bayramı', 'off shift; next shift …'."""
    if isinstance(state, OnLeave):
        kind = f"on {state.leave.type.value} leave"
        if state.until is None:
            return f"{kind} until {day_month(state.leave.end)}"
        return f"{kind} until {state.until.astimezone(tz):%H:%M} {tz.key}"
    if isinstance(state, OnHoliday):
        return f"holiday: {state.holiday.name}"
    if next_free is None:
        return f"off shift; no shift in the next {horizon_days} days"
    return f"off shift; next shift {local_moment(next_free, tz)}"
