"""Dates, numbers and names in the viewer's locale and time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadflow.web.ui.shell.formatting import Formatter

MOMENT = datetime(2026, 5, 12, 8, 30, tzinfo=UTC)


def test_english_in_berlin() -> None:
    fmt = Formatter("en", "Europe/Berlin")
    assert fmt.datetime(MOMENT) == "May 12, 2026, 10:30\u202fAM"
    assert fmt.number(1234567.5) == "1,234,567.5"
    assert fmt.percent(0.25) == "25%"
    assert fmt.country("de") == "Germany"
    assert fmt.language("ar") == "Arabic"


def test_turkish_in_istanbul() -> None:
    fmt = Formatter("tr", "Europe/Istanbul")
    assert fmt.datetime(MOMENT) == "12 May 2026 11:30"
    assert fmt.number(1234567.5) == "1.234.567,5"
    assert fmt.percent(0.25) == "%25"
    assert fmt.country("DE") == "Almanya"
    assert fmt.duration(timedelta(minutes=-5)) == "5 dakika önce"


def test_the_machine_readable_time_carries_the_offset() -> None:
    assert Formatter("en", "Asia/Tokyo").iso(MOMENT) == "2026-05-12T17:30+09:00"


def test_an_unknown_time_zone_shows_utc_and_missing_values_nothing() -> None:
    fmt = Formatter("en", "Nowhere/Atlantis")
    assert fmt.iso(MOMENT) == "2026-05-12T08:30+00:00"
    assert fmt.datetime(None) == ""
    assert fmt.country(None) == ""
