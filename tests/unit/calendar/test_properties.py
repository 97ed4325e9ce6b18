"""Properties of the calendar checked against its definitions on generated schedules."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.calendar import (
    HolidayBook,
    add_working_minutes,
    compile_calendar,
    shift_spans,
    working_minutes_between,
)
from leadflow.calendar.leave import leave_spans
from leadflow.domain.configuration import (
    WEEKDAYS,
    Agent,
    CompanyDay,
    HolidayCalendar,
    Leave,
    Schedule,
    ShiftOverride,
    Team,
    WeeklyPattern,
)
from leadflow.domain.roster import Unavailability

ZONES = ("Europe/Berlin", "Europe/Istanbul", "Asia/Dubai", "Europe/London")
INTERVALS = (
    "09:00-17:00",
    "09:00-13:00",
    "14:00-18:00",
    "22:00-06:00",
    "02:30-03:30",
    "01:00-01:00",
    "12:00-00:00",
)
FIRST_DAY, DAYS = date(2026, 3, 1), 300
TEAM = Team(
    key="t",
    name="T",
    holidays=HolidayCalendar(
        countries=["TR"],
        company_days=[
            CompanyDay(date=date(2026, 7, 3), name="Summer party", intervals=[]),
            CompanyDay(date=date(2026, 12, 31), name="Eve", intervals=["09:00-13:00"]),
        ],
    ),
)
BOOK = HolidayBook(TEAM.holidays)

intervals = st.lists(st.sampled_from(INTERVALS), max_size=2, unique=True)
days = st.integers(0, DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
moments = st.integers(0, DAYS * 24 * 60).map(
    lambda m: datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=m)
)
weekly = st.fixed_dictionaries({day: intervals for day in WEEKDAYS}).map(
    WeeklyPattern.model_validate
)


@st.composite
def leaves(draw: st.DrawFn) -> Leave:
    start = draw(days)
    end = start + timedelta(days=draw(st.integers(0, 6)))
    return Leave(start=start, end=end, intervals=draw(intervals))


schedules = st.builds(
    Schedule,
    weekly=weekly,
    overrides=st.lists(st.builds(ShiftOverride, date=days, intervals=intervals), max_size=3),
    leave=st.lists(leaves(), max_size=2),
)


def _on_leave(plan: Schedule, tz: str, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(tz)).date()
    spans = (
        s
        for lv in plan.leave
        for s in leave_spans(lv, ZoneInfo(tz), local - timedelta(days=1), local)
    )
    return any(now in span for span in spans)


def _on_holiday(tz: str, now: datetime) -> bool:
    holiday = BOOK.holiday_on(now.astimezone(ZoneInfo(tz)).date())
    return holiday is not None and any(now in s for s in holiday.closed_spans(ZoneInfo(tz)))


def _in_shift(plan: Schedule, tz: str, now: datetime) -> bool:
    return any(now in s for s in shift_spans(plan, tz, now, now + timedelta(microseconds=1)))


@settings(max_examples=150, deadline=None)
@given(plan=schedules, tz=st.sampled_from(ZONES), now=moments)
def test_available_exactly_inside_a_shift_outside_leave_and_holidays(
    plan: Schedule, tz: str, now: datetime
) -> None:
    agent = Agent(key="a", name="A", team="t", timezone=tz, schedule=plan)
    now = now.astimezone(ZoneInfo(tz))
    answer = compile_calendar(agent, TEAM, BOOK).availability(now)
    on_leave, on_holiday = _on_leave(plan, tz, now), _on_holiday(tz, now)
    assert answer.available == (_in_shift(plan, tz, now) and not on_leave and not on_holiday)
    if on_leave:
        assert answer.reason is Unavailability.ON_LEAVE
    elif on_holiday:
        assert answer.reason is Unavailability.HOLIDAY


@settings(max_examples=100, deadline=None)
@given(plan=schedules, tz=st.sampled_from(ZONES), now=moments)
def test_next_available_moment_starts_a_stretch_of_availability(
    plan: Schedule, tz: str, now: datetime
) -> None:
    calendar = compile_calendar(
        Agent(key="a", name="A", team="t", timezone=tz, schedule=plan), TEAM, BOOK
    )
    answer = calendar.availability(now)
    if answer.available or answer.next_available_at is None:
        return
    later = answer.next_available_at
    assert now < later <= now + timedelta(days=60)
    assert calendar.availability(later).available
    assert not calendar.availability(later - timedelta(microseconds=1)).available


hours = weekly.filter(lambda w: any(w.on(d) for d in range(7)))
minutes = st.integers(0, 3000)


@settings(max_examples=100, deadline=None)
@given(start=moments, a=minutes, b=minutes, week=hours, tz=st.sampled_from(ZONES))
def test_adding_minutes_in_two_steps_equals_adding_them_at_once(
    start: datetime, a: int, b: int, week: WeeklyPattern, tz: str
) -> None:
    start = start.astimezone(ZoneInfo(tz))
    once = add_working_minutes(start, a + b, week, tz, BOOK)
    twice = add_working_minutes(add_working_minutes(start, a, week, tz, BOOK), b, week, tz, BOOK)
    assert once == twice


@settings(max_examples=100, deadline=None)
@given(start=moments, n=minutes, week=hours, tz=st.sampled_from(ZONES))
def test_minutes_between_start_and_the_due_moment_are_the_minutes_added(
    start: datetime, n: int, week: WeeklyPattern, tz: str
) -> None:
    start = start.astimezone(ZoneInfo(tz))
    due = add_working_minutes(start, n, week, tz, BOOK)
    assert working_minutes_between(start, due, week, tz, BOOK) == n
