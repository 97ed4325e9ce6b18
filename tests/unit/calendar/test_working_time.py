from datetime import date, timedelta

import pytest

from leadflow.calendar import (
    AgentCalendar,
    HolidayBook,
    NoWorkingTime,
    add_shift_minutes,
    add_working_minutes,
    compile_calendar,
    working_minutes_between,
)
from leadflow.domain.configuration import HolidayCalendar, Leave
from tests.unit.calendar.scenarios import (
    BERLIN,
    ISTANBUL,
    OFFICE_HOURS,
    agent,
    at,
    company_day,
    leave,
    pattern,
    schedule,
    team,
)

OFFICE = pattern(**OFFICE_HOURS)
ROUND_THE_CLOCK = pattern(
    **{d: "00:00-00:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
)
TURKEY = HolidayBook(HolidayCalendar(countries=["TR"]))


def test_minutes_within_the_same_day() -> None:
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 1, 10), 15, OFFICE, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 1, 10, 15)


def test_minutes_left_at_closing_run_on_the_next_morning() -> None:
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 1, 16, 50), 15, OFFICE, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 2, 9, 5)


def test_minutes_used_up_at_closing_end_at_closing() -> None:
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 1, 16, 45), 15, OFFICE, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 1, 17)


def test_clock_starts_at_the_next_opening_when_started_at_night() -> None:
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 1, 23), 15, OFFICE, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 2, 9, 15)


def test_minutes_skip_the_weekend() -> None:
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 5, 16, 30), 60, OFFICE, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 8, 9, 30)


def test_minutes_skip_kurban_bayrami_and_its_arife_afternoon() -> None:
    start = at(ISTANBUL, 2026, 5, 26, 12, 30)
    due = add_working_minutes(start, 60, OFFICE, ISTANBUL, TURKEY)
    assert due == at(ISTANBUL, 2026, 6, 1, 9, 30)


def test_company_half_day_counts_its_worked_hours_only() -> None:
    book = HolidayBook(
        HolidayCalendar(
            company_days=[company_day(date(2026, 12, 31), "New Year's Eve", "09:00-13:00")]
        )
    )
    between = working_minutes_between(
        at(ISTANBUL, 2026, 12, 31), at(ISTANBUL, 2027, 1, 1), OFFICE, ISTANBUL, book
    )
    assert between == 240


def test_zero_minutes_is_the_start_itself() -> None:
    start = at(ISTANBUL, 2026, 6, 6, 3)
    assert add_working_minutes(start, 0, OFFICE, ISTANBUL, None) == start


def test_night_hours_count_across_midnight() -> None:
    nights = pattern(mon="22:00-06:00")
    due = add_working_minutes(at(ISTANBUL, 2026, 6, 1, 23), 120, nights, ISTANBUL, None)
    assert due == at(ISTANBUL, 2026, 6, 2, 1)


def test_a_berlin_day_has_23_working_hours_when_clocks_go_forward() -> None:
    minutes = working_minutes_between(
        at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), ROUND_THE_CLOCK, BERLIN, None
    )
    assert minutes == 23 * 60


def test_a_berlin_night_shift_has_nine_working_hours_when_clocks_go_back() -> None:
    nights = pattern(sat="22:00-06:00")
    minutes = working_minutes_between(
        at(BERLIN, 2026, 10, 24), at(BERLIN, 2026, 10, 26), nights, BERLIN, None
    )
    assert minutes == 9 * 60


def test_adding_across_the_spring_gap_counts_real_minutes() -> None:
    due = add_working_minutes(at(BERLIN, 2026, 3, 29, 1, 30), 60, ROUND_THE_CLOCK, BERLIN, None)
    assert due == at(BERLIN, 2026, 3, 29, 3, 30)


def test_minutes_between_a_weekend_is_zero() -> None:
    minutes = working_minutes_between(
        at(ISTANBUL, 2026, 6, 6), at(ISTANBUL, 2026, 6, 8), OFFICE, ISTANBUL, None
    )
    assert minutes == 0


def test_minutes_between_reversed_moments_are_negative() -> None:
    a, b = at(ISTANBUL, 2026, 6, 1, 9), at(ISTANBUL, 2026, 6, 1, 10, 30)
    assert working_minutes_between(b, a, OFFICE, ISTANBUL, None) == -90


def test_minutes_between_count_seconds_as_fractions() -> None:
    a = at(ISTANBUL, 2026, 6, 1, 9)
    b = a + timedelta(seconds=90)
    assert working_minutes_between(a, b, OFFICE, ISTANBUL, None) == 1.5


def test_hours_with_no_working_time_are_refused() -> None:
    with pytest.raises(NoWorkingTime):
        add_working_minutes(at(ISTANBUL, 2026, 6, 1), 1, pattern(), ISTANBUL, None)


# --- minutes counted on people's shifts (a pipeline without business hours) ----------------


def _shift_calendar(tz: str, weekly: dict[str, str], *leave_ranges: Leave) -> AgentCalendar:
    plan = schedule(pattern(**weekly), leave=list(leave_ranges))
    return compile_calendar(agent(tz, plan), team())


EARLY = _shift_calendar(ISTANBUL, {"mon": "08:00-12:00", "tue": "08:00-12:00"})
LATE = _shift_calendar(ISTANBUL, {"mon": "11:00-16:00", "tue": "11:00-16:00"})


def test_shift_minutes_run_while_anyone_works_and_overlaps_count_once() -> None:
    # Monday 11:50: both work until 12:00, then LATE alone until 16:00.
    due = add_shift_minutes(at(ISTANBUL, 2026, 6, 1, 11, 50), 30, [EARLY, LATE])
    assert due == at(ISTANBUL, 2026, 6, 1, 12, 20)


def test_shift_minutes_pause_between_shifts_of_the_team() -> None:
    # Monday 15:50, LATE's last 10 minutes; then nobody until Tuesday 08:00.
    due = add_shift_minutes(at(ISTANBUL, 2026, 6, 1, 15, 50), 30, [EARLY, LATE])
    assert due == at(ISTANBUL, 2026, 6, 2, 8, 20)


def test_shift_minutes_skip_a_colleague_on_leave() -> None:
    away = _shift_calendar(
        ISTANBUL,
        {"mon": "08:00-12:00", "tue": "08:00-12:00"},
        leave(date(2026, 6, 2), date(2026, 6, 2)),
    )
    due = add_shift_minutes(at(ISTANBUL, 2026, 6, 1, 23), 30, [away, LATE])
    assert due == at(ISTANBUL, 2026, 6, 2, 11, 30)


def test_shift_minutes_of_someone_without_a_schedule_are_plain_minutes() -> None:
    always = compile_calendar(agent(ISTANBUL, no_schedule=True), team())
    start = at(ISTANBUL, 2026, 6, 6, 3)  # a Saturday night
    assert add_shift_minutes(start, 30, [EARLY, always]) == start + timedelta(minutes=30)


def test_shift_minutes_are_none_when_nobody_works_within_the_horizon() -> None:
    gone = _shift_calendar(
        ISTANBUL, {"mon": "08:00-12:00"}, leave(date(2026, 6, 1), date(2026, 12, 31))
    )
    assert add_shift_minutes(at(ISTANBUL, 2026, 6, 1, 9), 30, [gone]) is None
    assert add_shift_minutes(at(ISTANBUL, 2026, 6, 1, 9), 0, [gone]) == at(ISTANBUL, 2026, 6, 1, 9)
