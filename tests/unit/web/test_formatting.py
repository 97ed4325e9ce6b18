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


def test_a_moment_has_one_format_in_tables_and_headings() -> None:
    fmt = Formatter("en", "Europe/Berlin")
    assert fmt.short_datetime(MOMENT) == fmt.datetime(MOMENT)


def test_spans_of_time_read_in_hours_and_minutes() -> None:
    english, turkish = Formatter("en", "UTC"), Formatter("tr", "UTC")
    assert english.elapsed(927.5 * 60) == "15 hr 27 min"
    assert turkish.elapsed(927.5 * 60) == "15 sa. 27 dk."
    assert english.elapsed(270) == "4 min 30 sec"
    assert english.elapsed(45) == "45 sec"
    assert english.elapsed(1500) == "25 min"
    assert english.elapsed(3 * 86400 + 7200) == "3 days 2 hr"
    assert english.elapsed(None) == ""


def test_dates_are_typed_in_the_locales_order() -> None:
    english, turkish = Formatter("en", "UTC"), Formatter("tr", "UTC")
    day = datetime(2026, 12, 4).date()
    assert english.input_date(day) == "12/04/2026"
    assert turkish.input_date(day) == "04.12.2026"
    assert english.input_placeholder("DD", "MM", "YYYY") == "MM/DD/YYYY"
    assert turkish.input_placeholder("GG", "AA", "YYYY") == "GG.AA.YYYY"
    assert english.parse_input_date("12/4/2026") == day
    assert turkish.parse_input_date("4.12.2026") == day
    assert turkish.parse_input_date("2026-12-04") == day


def test_a_date_in_another_order_or_with_a_short_year_is_refused() -> None:
    for text in ("13/04/2026", "12/04/26", "04.12", "tomorrow"):
        try:
            Formatter("en", "UTC").parse_input_date(text)
        except ValueError:
            continue
        raise AssertionError(f"{text!r} was accepted")
