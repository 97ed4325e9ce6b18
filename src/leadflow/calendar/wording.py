"""The human words of an unavailability, independent of the machine's locale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from leadflow.calendar.holidays import Holiday
from leadflow.calendar.timeline import OnHoliday, OnLeave, State
from leadflow.domain.reasons import Param, Reason, at_moment, on_date


def describe(state: State, next_free: datetime | None, tz: ZoneInfo, horizon_days: int) -> Reason:
    """'on annual leave until 29 May', 'holiday: Kurban Bayramı', 'off shift; next shift …',
    as a code and parameters for the reader's language (`str()` gives the English)."""
    if isinstance(state, OnLeave):
        kind = Reason("leave." + state.leave.type.value)
        if state.until is None:
            return Reason("away.leave_until_day", {"kind": kind, "day": on_date(state.leave.end)})
        until = f"{state.until.astimezone(tz):%H:%M}"
        return Reason("away.leave_until_time", {"kind": kind, "time": until, "zone": tz.key})
    if isinstance(state, OnHoliday):
        return Reason("away.holiday", {"name": holiday_name(state.holiday)})
    if next_free is None:
        return Reason("away.no_shift_soon", {"days": horizon_days})
    return Reason("away.next_shift", {"at": at_moment(next_free, tz)})


def holiday_name(holiday: Holiday) -> Reason:
    """A holiday's name: a national one is named in the reader's language where it is shown
    (`holidays.name_in`); a company's own day keeps its name."""
    params: dict[str, Param] = {"name": holiday.name}
    if holiday.countries:
        params |= {"date": holiday.date.isoformat(), "countries": ",".join(holiday.countries)}
    return Reason("holiday", params)
