from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadflow.calendar import Span, shift_spans
from tests.unit.calendar.scenarios import (
    BERLIN,
    ISTANBUL,
    OFFICE_HOURS,
    at,
    override,
    pattern,
    schedule,
)


def _hours(spans: list[Span]) -> list[float]:
    return [span.duration / timedelta(hours=1) for span in spans]


def test_split_shift_is_two_spans_on_the_same_day() -> None:
    plan = schedule(pattern(tue=["09:00-13:00", "14:00-18:00"]))
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 2), at(ISTANBUL, 2026, 6, 3))
    assert spans == [
        Span(at(ISTANBUL, 2026, 6, 2, 9), at(ISTANBUL, 2026, 6, 2, 13)),
        Span(at(ISTANBUL, 2026, 6, 2, 14), at(ISTANBUL, 2026, 6, 2, 18)),
    ]


def test_spans_are_in_utc() -> None:
    spans = shift_spans(schedule(), ISTANBUL, at(ISTANBUL, 2026, 6, 1), at(ISTANBUL, 2026, 6, 2))
    assert spans[0].start.tzinfo is UTC
    assert spans[0].start == datetime(2026, 6, 1, 6, tzinfo=UTC)


def test_night_shift_crosses_midnight_into_the_next_local_day() -> None:
    plan = schedule(pattern(fri="22:00-06:00"))
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 6, 1), at(ISTANBUL, 2026, 6, 6, 2))
    assert spans == [Span(at(ISTANBUL, 2026, 6, 5, 22), at(ISTANBUL, 2026, 6, 6, 6))]


def test_interval_with_equal_ends_is_a_whole_day() -> None:
    plan = schedule(pattern(sat="08:00-08:00"))
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 6), at(ISTANBUL, 2026, 6, 7))
    assert _hours(spans) == [24.0]


def test_override_with_no_intervals_is_a_day_off() -> None:
    plan = schedule(overrides=[override(date(2026, 6, 3))])
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 1), at(ISTANBUL, 2026, 6, 6))
    assert [span.start.astimezone(ZoneInfo(ISTANBUL)).day for span in spans] == [1, 2, 4, 5]


def test_override_gives_an_extra_shift_on_a_free_day() -> None:
    plan = schedule(overrides=[override(date(2026, 6, 6), "10:00-14:00")])
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 6), at(ISTANBUL, 2026, 6, 7))
    assert spans == [Span(at(ISTANBUL, 2026, 6, 6, 10), at(ISTANBUL, 2026, 6, 6, 14))]


def test_override_replaces_the_weekday_hours() -> None:
    plan = schedule(overrides=[override(date(2026, 6, 1), "12:00-20:00")])
    spans = shift_spans(plan, ISTANBUL, at(ISTANBUL, 2026, 6, 1), at(ISTANBUL, 2026, 6, 2))
    assert spans == [Span(at(ISTANBUL, 2026, 6, 1, 12), at(ISTANBUL, 2026, 6, 1, 20))]


def test_night_shift_lasts_seven_hours_when_berlin_springs_forward() -> None:
    plan = schedule(pattern(sat="22:00-06:00"))
    spans = shift_spans(plan, BERLIN, at(BERLIN, 2026, 3, 28), at(BERLIN, 2026, 3, 29))
    assert _hours(spans) == [7.0]


def test_night_shift_lasts_nine_hours_when_berlin_falls_back() -> None:
    plan = schedule(pattern(sat="22:00-06:00"))
    spans = shift_spans(plan, BERLIN, at(BERLIN, 2026, 10, 24), at(BERLIN, 2026, 10, 25))
    assert _hours(spans) == [9.0]


@pytest.mark.parametrize("night", [date(2026, 3, 28), date(2026, 10, 24)])
def test_istanbul_night_shift_is_eight_hours_on_european_dst_nights(night: date) -> None:
    plan = schedule(pattern(sat="22:00-06:00"))
    start = at(ISTANBUL, night.year, night.month, night.day)
    assert _hours(shift_spans(plan, ISTANBUL, start, start + timedelta(days=1))) == [8.0]


def test_shift_starting_in_the_spring_gap_uses_the_offset_before_the_jump() -> None:
    plan = schedule(pattern(sun="02:30-10:00"))
    spans = shift_spans(plan, BERLIN, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30))
    assert spans[0].start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_ambiguous_autumn_time_means_its_first_occurrence() -> None:
    plan = schedule(pattern(sun="02:30-10:00"))
    spans = shift_spans(plan, BERLIN, at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26))
    assert spans[0].start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_shift_left_empty_by_the_spring_gap_is_dropped() -> None:
    plan = schedule(pattern(sun="02:30-03:00"))
    assert shift_spans(plan, BERLIN, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30)) == []


def test_window_returns_whole_shifts_that_overlap_it() -> None:
    spans = shift_spans(
        schedule(), ISTANBUL, at(ISTANBUL, 2026, 6, 1, 16), at(ISTANBUL, 2026, 6, 2, 10)
    )
    assert spans == [
        Span(at(ISTANBUL, 2026, 6, 1, 9), at(ISTANBUL, 2026, 6, 1, 17)),
        Span(at(ISTANBUL, 2026, 6, 2, 9), at(ISTANBUL, 2026, 6, 2, 17)),
    ]


def test_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        shift_spans(
            schedule(pattern(**OFFICE_HOURS)),
            ISTANBUL,
            datetime(2026, 6, 1),
            at(ISTANBUL, 2026, 6, 2),
        )
