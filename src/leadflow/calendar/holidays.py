"""Holidays of a team's calendar: national and religious days from the `holidays` package plus
the company's own days off and half days.

What the `holidays` package (0.109) gives, and how it is read here:

- Turkey (TR) has Ramazan Bayramı and Kurban Bayramı in its `public` category, and in its
  `half_day` category the afternoon before each bayram (arife) and before Republic Day, labelled
  "(from 1pm)". In 2026 Kurban Bayramı is 27-30 May and its arife, 26 May, a half day.
- A package half day becomes a holiday on which the hours before the labelled time are still
  worked (`00:00-13:00` for Turkey). Only the `(from 1pm)` form of the package's English label
  carries a time; a half day without one (China, Estonia's "shortened by 3 hours", …) is ignored.
- Names come in the language given to `HolidayBook`, or each country's own language by default
  (so Turkey's read "Kurban Bayramı"), never the machine's locale, which the package would
  otherwise consult.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_data
from holidays.constants import HALF_DAY

from leadflow.calendar.shifts import day_spans
from leadflow.calendar.spans import Span, subtract
from leadflow.calendar.wallclock import MIDNIGHT, ONE_DAY, local_midnight
from leadflow.domain.configuration import CompanyDay, HolidayCalendar, Interval

_FROM_TIME = re.compile(r"\(from (\d{1,2})(?::(\d{2}))?\s*([ap]m)\)", re.IGNORECASE)
_DAY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Holiday:
    """A local date off; a half day when `worked` holds the hours still worked."""

    date: date
    name: str
    worked: tuple[Interval, ...] = ()
    countries: tuple[str, ...] = field(default=(), compare=False)
    """Where a national holiday comes from ("TR", "DE-BY"), to name it in another language
    (`name_in`); empty for a company's own day, whose name is the company's."""

    @property
    def half_day(self) -> bool:
        return bool(self.worked)

    def closed_spans(self, tz: ZoneInfo) -> list[Span]:
        """The instants of this local date in `tz` that are not worked."""
        whole_day = Span(local_midnight(self.date, tz), local_midnight(self.date + ONE_DAY, tz))
        return subtract([whole_day], day_spans(self.date, self.worked, tz))


class HolidayBook:
    """Answers "is this local date a holiday?" for one `HolidayCalendar`.

    Several holidays on one date become one: names joined with "; ", and the hours worked are
    those every one of them leaves worked (a full day off wins).
    """

    def __init__(self, calendar: HolidayCalendar, *, language: str | None = None) -> None:
        for code in calendar.countries:
            _check_country(code, calendar.subdivisions.get(code))
        self._countries = tuple(
            (code, calendar.subdivisions.get(code)) for code in calendar.countries
        )
        self._language = language
        self._company = _company_days(calendar.company_days)
        self._by_date: dict[date, Holiday | None] = {}

    def holiday_on(self, day: date) -> Holiday | None:
        try:
            return self._by_date[day]
        except KeyError:
            found = self._by_date[day] = _combined(day, self._holidays_on(day))
            return found

    def _holidays_on(self, day: date) -> Iterator[Holiday]:
        for code, subdivision in self._countries:
            national = country_year(code, day.year, self._language, subdivision).get(day)
            if national is not None:
                yield replace(national, countries=(_region(code, subdivision),))
        yield from self._company.get(day, ())


def _check_country(code: str, subdivision: str | None = None) -> None:
    try:
        holiday_data.country_holidays(code)
    except NotImplementedError as exc:
        raise ValueError(f"the holidays package has no country {code!r}") from exc
    if subdivision is not None:
        try:
            holiday_data.country_holidays(code, subdiv=subdivision)
        except NotImplementedError as exc:
            raise ValueError(f"{code} has no subdivision {subdivision!r}") from exc


def _company_days(days: Iterable[CompanyDay]) -> dict[date, list[Holiday]]:
    by_date: dict[date, list[Holiday]] = {}
    for day in days:
        by_date.setdefault(day.date, []).append(Holiday(day.date, day.name, tuple(day.intervals)))
    return by_date


@lru_cache(maxsize=1024)
def country_year(
    code: str, year: int, language: str | None = None, subdivision: str | None = None
) -> Mapping[date, Holiday]:
    """Holidays of one country (or one of its subdivisions) and year (public days, then timed
    half days), cached."""
    country = holiday_data.country_holidays(code)
    language = language or country.default_language or "en_US"
    public = holiday_data.country_holidays(code, subdiv=subdivision, years=year, language=language)
    found = {day: Holiday(day, name) for day, name in public.items()}
    if HALF_DAY in country.supported_categories:
        for half_day in _half_days(code, year, language, subdivision):
            found.setdefault(half_day.date, half_day)
    return found


def _half_days(code: str, year: int, language: str, subdivision: str | None) -> Iterator[Holiday]:
    def half_days_in(lang: str) -> Mapping[date, str]:
        return holiday_data.country_holidays(
            code, subdiv=subdivision, years=year, language=lang, categories=(HALF_DAY,)
        )

    named, english = half_days_in(language), half_days_in("en_US")
    for day, name in named.items():
        closes = closing_time(english.get(day, ""))
        if closes is not None:
            yield Holiday(day, name, (Interval(start=MIDNIGHT, end=closes),))


def _region(code: str, subdivision: str | None) -> str:
    return code if subdivision is None else f"{code}-{subdivision}"


LANGUAGES = {"en": "en_US", "tr": "tr"}
"""Our interface's languages as the `holidays` package names them."""


def name_in(countries: Iterable[str], day: date, locale: str) -> str | None:
    """The name of the national holiday of `day` in `countries` ("TR", "DE-BY") in the
    interface language `locale`, or None when the package cannot say it in that language."""
    language = LANGUAGES.get(locale)
    names = []
    for region in countries:
        code, _, subdivision = region.partition("-")
        if language not in holiday_data.country_holidays(code).supported_languages:
            return None
        found = country_year(code, day.year, language, subdivision or None).get(day)
        if found is None:
            return None
        names.append(found.name)
    return "; ".join(dict.fromkeys(names)) or None


def closing_time(label: str) -> time | None:
    """13:00 for "Eid al-Adha (from 1pm)"; None when the label names no time of day."""
    match = _FROM_TIME.search(label)
    if match is None:
        return None
    hour, minute, half = int(match[1]) % 12, int(match[2] or 0), match[3].lower()
    hour += 12 if half == "pm" else 0
    return time(hour, minute) if (hour, minute) != (0, 0) else None


def _combined(day: date, found: Iterable[Holiday]) -> Holiday | None:
    holidays = list(found)
    if len(holidays) <= 1:
        return holidays[0] if holidays else None
    names = "; ".join(dict.fromkeys(h.name for h in holidays))
    countries = tuple(c for h in holidays for c in h.countries)
    if not all(h.countries for h in holidays):
        countries = ()
    if any(not h.half_day for h in holidays):
        return Holiday(day, names, (), countries)
    worked = _seconds(holidays[0].worked)
    for holiday in holidays[1:]:
        worked = _intersection(worked, _seconds(holiday.worked))
    return Holiday(day, names, tuple(_interval(lo, hi) for lo, hi in worked), countries)


def _seconds(intervals: Iterable[Interval]) -> list[tuple[int, int]]:
    """Wall-clock intervals as sorted (start, end) seconds of the day, cut at midnight."""
    ranges = []
    for interval in intervals:
        lo, hi = _second_of_day(interval.start), _second_of_day(interval.end)
        ranges.append((lo, hi if hi > lo else _DAY_SECONDS))
    return sorted(ranges)


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pairs = ((max(x[0], y[0]), min(x[1], y[1])) for x in a for y in b)
    return sorted((lo, hi) for lo, hi in pairs if lo < hi)


def _second_of_day(at: time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second


def _interval(lo: int, hi: int) -> Interval:
    def wall(seconds: int) -> time:
        seconds %= _DAY_SECONDS
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)

    return Interval(start=wall(lo), end=wall(hi))
