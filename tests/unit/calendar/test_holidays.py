from datetime import date, time

import pytest

from leadflow.calendar import Holiday, HolidayBook
from leadflow.calendar.holidays import closing_time
from leadflow.domain.configuration import CompanyDay, HolidayCalendar, Interval
from tests.unit.calendar.scenarios import company_day

UNTIL_ONE = (Interval(start=time(0), end=time(13)),)


def _book(*countries: str, company_days: list[CompanyDay] | None = None) -> HolidayBook:
    return HolidayBook(HolidayCalendar(countries=list(countries), company_days=company_days or []))


def test_kurban_bayrami_2026_is_27_to_30_may_in_turkey() -> None:
    book = _book("TR")
    days = [date(2026, 5, d) for d in (27, 28, 29, 30)]
    assert [book.holiday_on(day) for day in days] == [
        Holiday(day, "Kurban Bayramı") for day in days
    ]
    assert book.holiday_on(date(2026, 5, 31)) is None


def test_kurban_bayrami_arife_is_a_half_day_worked_until_one() -> None:
    arife = _book("TR").holiday_on(date(2026, 5, 26))
    assert arife == Holiday(date(2026, 5, 26), "Kurban Bayramı (saat 13.00'ten)", UNTIL_ONE)
    assert arife is not None
    assert arife.half_day


def test_ramazan_bayrami_2026_is_20_to_22_march_with_arife_on_the_19th() -> None:
    book = _book("TR")
    assert [book.holiday_on(date(2026, 3, d)) is not None for d in (19, 20, 21, 22, 23)] == [
        True,
        True,
        True,
        True,
        False,
    ]
    arife = book.holiday_on(date(2026, 3, 19))
    assert arife is not None
    assert arife.worked == UNTIL_ONE


def test_german_calendar_knows_nothing_of_bayrams() -> None:
    assert _book("DE").holiday_on(date(2026, 5, 27)) is None


def test_names_follow_the_requested_language() -> None:
    book = HolidayBook(HolidayCalendar(countries=["TR"]), language="en_US")
    assert book.holiday_on(date(2026, 5, 27)) == Holiday(date(2026, 5, 27), "Eid al-Adha")


def test_names_ignore_the_machine_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en_US")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    book = _book("TR")
    assert book.holiday_on(date(2031, 1, 1)) == Holiday(date(2031, 1, 1), "Yılbaşı")


def test_company_day_off_is_a_full_holiday() -> None:
    book = _book(company_days=[company_day(date(2026, 7, 3), "Summer party")])
    assert book.holiday_on(date(2026, 7, 3)) == Holiday(date(2026, 7, 3), "Summer party")


def test_company_half_day_keeps_the_hours_still_worked() -> None:
    book = _book(company_days=[company_day(date(2026, 12, 31), "New Year's Eve", "09:00-13:00")])
    holiday = book.holiday_on(date(2026, 12, 31))
    assert holiday is not None
    assert holiday.worked == (Interval(start=time(9), end=time(13)),)


def test_company_day_on_a_public_holiday_merges_names_and_full_day_wins() -> None:
    book = _book("TR", company_days=[company_day(date(2026, 5, 26), "Offsite", "09:00-11:00")])
    merged = book.holiday_on(date(2026, 5, 26))
    assert merged == Holiday(
        date(2026, 5, 26),
        "Kurban Bayramı (saat 13.00'ten); Offsite",
        (Interval(start=time(9), end=time(11)),),
    )


def test_full_company_day_on_a_half_day_closes_the_whole_day() -> None:
    book = _book("TR", company_days=[company_day(date(2026, 5, 26), "Bridge day")])
    assert book.holiday_on(date(2026, 5, 26)) == Holiday(
        date(2026, 5, 26), "Kurban Bayramı (saat 13.00'ten); Bridge day"
    )


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError, match="no country 'XX'"):
        _book("XX")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Eid al-Adha (from 1pm)", time(13)),
        ("Christmas Eve (from 12pm)", time(12)),
        ("Midsummer Eve (workday shortened by 3 hours)", None),
        ("Republic Day", None),
    ],
)
def test_half_day_labels_give_the_closing_time(label: str, expected: time | None) -> None:
    assert closing_time(label) == expected
