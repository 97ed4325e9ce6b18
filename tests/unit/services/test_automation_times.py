"""When an automation's task "at 02:30 the patient's time" falls due, around DST changes too."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.services.workflow.automation import next_wall_time

BERLIN = "Europe/Berlin"


def test_the_next_such_time_today_or_tomorrow() -> None:
    morning = datetime(2026, 5, 12, 6, 0, tzinfo=UTC)  # 08:00 in Berlin
    assert next_wall_time(morning, "10:00", BERLIN) == datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    assert next_wall_time(morning, "07:00", BERLIN) == datetime(2026, 5, 13, 5, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_falls_to_the_next_day() -> None:
    evening = datetime(
        2027, 3, 27, 20, 0, tzinfo=UTC
    )  # 21:00 in Berlin, the night 02:30 is skipped
    assert next_wall_time(evening, "02:30", BERLIN) == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)


def test_a_time_the_clocks_show_twice_is_the_first() -> None:
    evening = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # the night 02:30 happens twice
    assert next_wall_time(evening, "02:30", BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
