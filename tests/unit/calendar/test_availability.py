from datetime import date, timedelta

import pytest

from leadflow.calendar import availability, compile_calendar, next_availability, on_shift
from leadflow.domain.roster import Availability, Unavailability
from tests.unit.calendar.scenarios import (
    BERLIN,
    ISTANBUL,
    agent,
    at,
    company_day,
    leave,
    override,
    pattern,
    schedule,
    team,
)


def test_agent_without_schedule_is_always_available() -> None:
    bot = agent(no_schedule=True)
    assert availability(bot, team("TR"), at(ISTANBUL, 2026, 5, 27, 3)) == Availability.always()


def test_agent_inside_a_shift_is_available() -> None:
    assert availability(agent(), team(), at(ISTANBUL, 2026, 6, 1, 10)).available


def test_agent_between_shifts_is_off_shift_with_the_next_shift_in_local_time() -> None:
    answer = availability(agent(BERLIN), team(), at(BERLIN, 2026, 6, 1, 18))
    assert (answer.available, answer.reason, str(answer.detail), answer.next_available_at) == (
        False,
        Unavailability.OFF_SHIFT,
        "off shift; next shift Tue 2 Jun 09:00 Europe/Berlin",
        at(BERLIN, 2026, 6, 2, 9),
    )


def test_lunch_break_of_a_split_shift_is_off_shift() -> None:
    plan = schedule(pattern(mon=["09:00-13:00", "14:00-18:00"]))
    answer = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 1, 13, 30))
    assert answer.reason is Unavailability.OFF_SHIFT
    assert answer.next_available_at == at(ISTANBUL, 2026, 6, 1, 14)


def test_shift_end_is_exclusive() -> None:
    assert not on_shift(agent(), team(), at(ISTANBUL, 2026, 6, 1, 17))


def test_night_shift_agent_is_available_after_midnight() -> None:
    plan = schedule(pattern(fri="22:00-06:00"))
    assert on_shift(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 6, 2))


def test_override_day_off_makes_the_agent_off_shift() -> None:
    plan = schedule(overrides=[override(date(2026, 6, 3))])
    answer = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 3, 10))
    assert answer.reason is Unavailability.OFF_SHIFT
    assert answer.next_available_at == at(ISTANBUL, 2026, 6, 4, 9)


def test_extra_shift_on_a_saturday_makes_the_agent_available() -> None:
    plan = schedule(overrides=[override(date(2026, 6, 6), "10:00-14:00")])
    assert on_shift(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 6, 11))


def test_full_day_leave_says_until_when() -> None:
    plan = schedule(leave=[leave(date(2026, 5, 25), date(2026, 5, 29))])
    answer = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 5, 26, 10))
    assert (answer.available, answer.reason, str(answer.detail), answer.next_available_at) == (
        False,
        Unavailability.ON_LEAVE,
        "on annual leave until 29 May",
        at(ISTANBUL, 2026, 6, 1, 9),
    )


def test_partial_leave_blocks_only_its_hours() -> None:
    plan = schedule(
        leave=[leave(date(2026, 6, 1), date(2026, 6, 2), "09:00-12:00", kind="training")]
    )
    morning = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 2, 10))
    assert morning.reason is Unavailability.ON_LEAVE
    assert str(morning.detail) == "on training leave until 12:00 Europe/Istanbul"
    assert morning.next_available_at == at(ISTANBUL, 2026, 6, 2, 12)
    assert on_shift(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 2, 13))


def test_kurban_bayrami_makes_a_turkish_calendar_agent_unavailable() -> None:
    answer = availability(agent(), team("TR"), at(ISTANBUL, 2026, 5, 27, 10))
    assert answer.reason is Unavailability.HOLIDAY
    assert str(answer.detail) == "holiday: Kurban Bayramı"
    assert answer.next_available_at == at(ISTANBUL, 2026, 6, 1, 9)


def test_kurban_bayrami_leaves_a_german_team_agent_available() -> None:
    assert on_shift(agent(BERLIN), team("DE"), at(BERLIN, 2026, 5, 27, 10))


def test_arife_half_day_is_worked_in_the_morning_only() -> None:
    tr = team("TR")
    assert on_shift(agent(), tr, at(ISTANBUL, 2026, 5, 26, 12))
    afternoon = availability(agent(), tr, at(ISTANBUL, 2026, 5, 26, 14))
    assert afternoon.reason is Unavailability.HOLIDAY
    assert str(afternoon.detail) == "holiday: Kurban Bayramı (saat 13.00'ten)"


def test_holiday_applies_on_the_agents_local_date() -> None:
    # 23:30 on 18 May in Berlin is already 19 May, a Turkish holiday, in Istanbul.
    plan = schedule(pattern(mon="20:00-23:59", tue="20:00-23:59"))
    assert on_shift(agent(BERLIN, plan), team("TR"), at(BERLIN, 2026, 5, 18, 23, 30))
    assert not on_shift(agent(BERLIN, plan), team("TR"), at(BERLIN, 2026, 5, 19, 23, 30))


def test_company_day_off_makes_the_agent_unavailable() -> None:
    tr = team(company_days=[company_day(date(2026, 7, 3), "Summer party")])
    answer = availability(agent(), tr, at(ISTANBUL, 2026, 7, 3, 10))
    assert (answer.reason, str(answer.detail)) == (Unavailability.HOLIDAY, "holiday: Summer party")


def test_company_half_day_keeps_the_worked_hours_open() -> None:
    tr = team(company_days=[company_day(date(2026, 12, 31), "New Year's Eve", "09:00-13:00")])
    assert on_shift(agent(), tr, at(ISTANBUL, 2026, 12, 31, 12))
    assert not on_shift(agent(), tr, at(ISTANBUL, 2026, 12, 31, 14))


def test_leave_takes_precedence_over_a_holiday() -> None:
    plan = schedule(leave=[leave(date(2026, 5, 25), date(2026, 5, 29))])
    answer = availability(agent(plan=plan), team("TR"), at(ISTANBUL, 2026, 5, 27, 10))
    assert answer.reason is Unavailability.ON_LEAVE


def test_holiday_takes_precedence_over_off_shift() -> None:
    answer = availability(agent(), team("TR"), at(ISTANBUL, 2026, 5, 30, 10))  # a Saturday
    assert answer.reason is Unavailability.HOLIDAY


def test_next_availability_skips_the_weekend() -> None:
    friday_evening = at(BERLIN, 2026, 6, 5, 18)
    assert next_availability(agent(BERLIN), team(), friday_evening) == at(BERLIN, 2026, 6, 8, 9)


def test_next_availability_skips_leave_and_the_weekend_after_it() -> None:
    plan = schedule(leave=[leave(date(2026, 6, 8), date(2026, 6, 12))])
    friday_evening = at(ISTANBUL, 2026, 6, 5, 18)
    assert next_availability(agent(plan=plan), team(), friday_evening) == at(
        ISTANBUL, 2026, 6, 15, 9
    )


def test_next_availability_is_now_when_available() -> None:
    now = at(ISTANBUL, 2026, 6, 1, 10)
    assert next_availability(agent(), team(), now) == now


def test_no_shift_within_sixty_days_has_no_next_availability() -> None:
    plan = schedule(pattern(), overrides=[override(date(2026, 9, 1), "09:00-17:00")])
    early = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 6, 1))
    assert early.next_available_at is None
    assert str(early.detail) == "off shift; no shift in the next 60 days"
    later = availability(agent(plan=plan), team(), at(ISTANBUL, 2026, 7, 15))
    assert later.next_available_at == at(ISTANBUL, 2026, 9, 1, 9)


def test_answers_do_not_depend_on_the_order_of_questions() -> None:
    plan = schedule(
        pattern(mon="22:00-06:00", wed=["09:00-12:00", "13:00-18:00"], sat="10:00-14:00"),
        leave=[leave(date(2026, 3, 10), date(2026, 3, 12), "10:00-11:00")],
    )
    moments = [at(BERLIN, 2026, 3, 1) + timedelta(minutes=97 * n) for n in range(600)]
    forward = compile_calendar(agent(BERLIN, plan), team("DE", "TR"))
    backward = compile_calendar(agent(BERLIN, plan), team("DE", "TR"))
    answers = [forward.availability(m) for m in moments]
    assert [backward.availability(m) for m in reversed(moments)] == answers[::-1]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        availability(agent(), team(), at(ISTANBUL, 2026, 6, 1, 10).replace(tzinfo=None))
