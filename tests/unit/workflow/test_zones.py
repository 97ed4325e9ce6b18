"""The patient's time zone from their phone number or country, and wall times in a zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadflow.workflow.zones import (
    AmbiguousTime,
    NonexistentTime,
    patient_zone,
    wall_time_in,
    wall_time_to_utc,
)


def test_a_german_number_is_in_berlin() -> None:
    assert patient_zone(None, "+4930123456") == "Europe/Berlin"


def test_a_german_patient_without_a_phone_is_in_berlin() -> None:
    assert patient_zone("DE", None) == "Europe/Berlin"


def test_a_turkish_mobile_is_in_istanbul() -> None:
    assert patient_zone("TR", "+905321234567") == "Europe/Istanbul"
    assert patient_zone("TR", None) == "Europe/Istanbul"


def test_a_british_mobile_covering_the_crown_dependencies_is_in_london() -> None:
    # +44 7 covers London, Jersey, Guernsey and Man: the calling code's main country wins.
    assert patient_zone(None, "+447911123456") == "Europe/London"
    assert patient_zone("GB", "+447911123456") == "Europe/London"


def test_the_patients_country_picks_among_a_numbers_zones() -> None:
    assert patient_zone("JE", "+447911123456") == "Europe/Jersey"


def test_a_us_number_gives_its_area_codes_zone() -> None:
    assert patient_zone("US", "+12125551234") == "America/New_York"
    assert patient_zone("US", "+13105551234") == "America/Los_Angeles"


def test_a_us_toll_free_number_covering_every_zone_is_decided_the_same_way_each_time() -> None:
    assert patient_zone(None, "+18005551234") == "America/New_York"
    assert patient_zone("US", "+18005551234") == "America/New_York"


def test_the_phone_wins_over_the_country() -> None:
    assert patient_zone("DE", "+905321234567") == "Europe/Istanbul"


def test_zone_names_are_todays_iana_names() -> None:
    assert patient_zone("IN", None) == "Asia/Kolkata"  # libphonenumber says Asia/Calcutta
    assert patient_zone(None, "+380441234567") == "Europe/Kyiv"


def test_nothing_known_gives_no_zone() -> None:
    assert patient_zone(None, None) is None
    assert patient_zone("XX", None) is None


def test_an_unreadable_number_falls_back_to_the_country() -> None:
    assert patient_zone("DE", "not a number") == "Europe/Berlin"
    assert patient_zone(None, "not a number") is None


def test_a_wall_time_becomes_its_instant() -> None:
    assert wall_time_to_utc(datetime(2026, 5, 12, 14, 0), "Europe/Berlin") == datetime(
        2026, 5, 12, 12, 0, tzinfo=UTC
    )
    assert wall_time_to_utc(datetime(2026, 1, 12, 14, 0), "Europe/Berlin") == datetime(
        2026, 1, 12, 13, 0, tzinfo=UTC
    )


def test_a_wall_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(NonexistentTime, match="2026-03-29 02:30 does not exist in Europe/Berlin"):
        wall_time_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")


def test_a_wall_time_the_clocks_repeat_is_refused() -> None:
    with pytest.raises(AmbiguousTime, match="2026-10-25 02:30 happens twice in Europe/Berlin"):
        wall_time_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Berlin")


def test_the_hours_around_a_dst_change_are_fine() -> None:
    assert wall_time_to_utc(datetime(2026, 3, 29, 3, 0), "Europe/Berlin") == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    assert wall_time_to_utc(datetime(2026, 10, 25, 3, 0), "Europe/Berlin") == datetime(
        2026, 10, 25, 2, 0, tzinfo=UTC
    )


def test_an_instant_shown_as_the_patients_wall_time() -> None:
    instant = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    assert wall_time_in(instant, "America/New_York") == datetime(2026, 5, 12, 8, 0)


def test_a_wall_time_with_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        wall_time_to_utc(datetime(2026, 5, 12, 14, 0, tzinfo=UTC), "Europe/Berlin")
