"""Reasons in words, in a reader's language: the engine's and the calendar's codes rendered
through the gettext catalog, with that language's numbers, dates and holiday names.

    say(decision.why, "tr")   # 'ağırlıklı oran: …'

English keeps the engine's own forms ('29 May', '0.50'); other languages use Babel's.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from leadflow.calendar.holidays import name_in
from leadflow.domain.reasons import ENGLISH, Reason, render
from leadflow.locale.catalogs import DEFAULT_LOCALE, LOCALES, translations


class Spoken:
    """One interface language, as `leadflow.domain.reasons.render` needs it."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self._catalog = translations(self.locale)
        self._english = self.locale == "en"

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def integer(self, value: int) -> str:
        return str(value) if self._english else format_decimal(value, locale=self.locale)

    def number(self, value: float) -> str:
        if self._english:
            return ENGLISH.number(value)
        return format_decimal(value, format="#,##0.00", locale=self.locale)

    def day(self, day: date, *, with_year: bool = False) -> str:
        if self._english:
            return ENGLISH.day(day, with_year=with_year)
        return format_date(day, "d MMM y" if with_year else "d MMM", locale=self.locale)

    def moment(self, moment: datetime, zone: ZoneInfo) -> str:
        if self._english:
            return ENGLISH.moment(moment, zone)
        local = moment.astimezone(zone)
        return f"{format_datetime(local, 'EEE d MMM HH:mm', locale=self.locale)} {zone.key}"

    def holiday(self, name: str, day: date, countries: list[str]) -> str:
        return name_in(countries, day, self.locale) or name

    def term(self, value: str, words: str) -> str:
        return value if self._english else self.gettext(words)


@functools.cache
def spoken(locale: str) -> Spoken:
    return Spoken(locale)


def say(reason: Reason | None, locale: str) -> str:
    """`reason` in the language `locale` ("" for none)."""
    return "" if reason is None else render(reason, spoken(locale))
