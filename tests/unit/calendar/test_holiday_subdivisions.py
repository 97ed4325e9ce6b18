"""A team's calendar may name a country's subdivision (the `holidays` package's codes) for its
regional days, beside the national ones."""

from datetime import date

import pytest

from leadflow.calendar import HolidayBook
from leadflow.domain.configuration import HolidayCalendar

EPIPHANY = date(2026, 1, 6)  # a holiday in Bavaria, not in Berlin


def test_a_bavarian_calendar_has_epiphany_off() -> None:
    book = HolidayBook(HolidayCalendar(countries=["DE"], subdivisions={"de": "BY"}))
    found = book.holiday_on(EPIPHANY)
    assert found is not None
    assert found.name == "Heilige Drei Könige"


def test_the_national_german_calendar_works_on_epiphany() -> None:
    book = HolidayBook(HolidayCalendar(countries=["DE"]))
    assert book.holiday_on(EPIPHANY) is None
    assert book.holiday_on(date(2026, 10, 3)) is not None  # national days stay


def test_an_unknown_subdivision_is_refused_with_its_code() -> None:
    with pytest.raises(ValueError, match="'XX'"):
        HolidayBook(HolidayCalendar(countries=["DE"], subdivisions={"DE": "XX"}))
