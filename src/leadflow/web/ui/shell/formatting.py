"""Dates, times, numbers and names in the viewer's locale and time zone (Babel)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def timezones() -> list[str]:
    """The time zones a person may choose: regions' zones, without the `Etc/` aliases."""
    return sorted(name for name in available_timezones() if "/" in name and "Etc/" not in name)


def clock(seconds: int) -> str:
    """`4:05` or `1:02:03`: a span of time as a clock shows it (a countdown, a call's talk)."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Formatter:
    locale: str
    timezone: str

    @cached_property
    def _locale(self) -> Locale:
        return Locale.parse(self.locale)

    @cached_property
    def _zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def datetime(self, value: dt.datetime | None, *, dateformat: str = "medium") -> str:
        """`May 12, 2026, 11:00 AM` / `12 May 2026 11:00` in the viewer's time zone."""
        if value is None:
            return ""
        local = value.astimezone(self._zone)
        pattern = str(self._locale.datetime_formats[dateformat])
        day = format_date(local, dateformat, locale=self._locale)
        clock = format_time(local, "short", locale=self._locale)
        return pattern.replace("{1}", day).replace("{0}", clock)

    def time(self, value: dt.datetime) -> str:
        """`10:21 AM` / `10:21`: the time of day in the viewer's time zone."""
        return format_time(value.astimezone(self._zone), "short", locale=self._locale)

    def short_datetime(self, value: dt.datetime | None) -> str:
        """The same as `datetime`: one format for a moment on every page (a table's short
        `12/4/26` beside a heading's `Dec 4, 2026` read as two different things)."""
        return self.datetime(value)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(self._zone)
        return format_date(value, "medium", locale=self._locale)

    @cached_property
    def _shown(self) -> dict[tuple[str, float | int], str]:
        """Figures already formatted: a dashboard shows the same small numbers many times,
        and Babel takes ~0.1 ms for each."""
        return {}

    def number(self, value: float | int | None) -> str:
        if value is None:
            return ""
        key = ("number", value)
        if key not in self._shown:
            self._shown[key] = format_decimal(value, locale=self._locale)
        return self._shown[key]

    def percent(self, value: float | None) -> str:
        if value is None:
            return ""
        key = ("percent", value)
        if key not in self._shown:
            self._shown[key] = format_percent(value, locale=self._locale)
        return self._shown[key]

    def minutes(self, seconds: float | None) -> str:
        """`4.5 min` / `4,5 dk.`: a span of time in minutes, to a tenth."""
        if seconds is None:
            return ""
        return format_unit(round(seconds / 60, 1), "duration-minute", "short", locale=self._locale)

    def elapsed(self, seconds: float | None) -> str:
        """`45 sec`, `4 min 30 sec`, `15 hr 27 min`, `3 days 4 hr`: a span of time in the two
        largest units that matter (seconds only under ten minutes), in the viewer's language."""
        if seconds is None:
            return ""
        whole = round(seconds)
        days, rest = divmod(whole, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        if days:
            parts = [(days, "day"), (hours, "hour")]
        elif hours:
            parts = [(hours, "hour"), (minutes, "minute")]
        elif minutes >= 10:
            parts = [(minutes, "minute")]
        else:
            parts = [(minutes, "minute"), (secs, "second")]
        shown = [(n, unit) for n, unit in parts if n] or [(0, "second")]
        return " ".join(
            format_unit(n, f"duration-{unit}", "short", locale=self._locale) for n, unit in shown
        )

    def day_month(self, value: dt.date) -> str:
        """`Dec 4` / `4 Ara`: a day on a chart's axis, where the year is in the heading."""
        return format_skeleton("MMMd", value, locale=self._locale)

    def input_date(self, value: dt.date | None) -> str:
        """A date as the viewer types it: `12/04/2026` / `04.12.2026` (the locale's order)."""
        if value is None:
            return ""
        return format_date(value, self._input_pattern, locale=self._locale)

    @property
    def input_pattern(self) -> str:
        """`MM/dd/yyyy` / `dd.MM.yyyy`: how `input_date` writes a date (for the date picker)."""
        return self._input_pattern

    @cached_property
    def _input_pattern(self) -> str:
        """The locale's short date pattern with two-digit days and months, four-digit years."""
        pattern = str(self._locale.date_formats["short"].pattern)
        for letter in "yMd":
            pattern = re.sub(f"{letter}+", {"y": "yyyy", "M": "MM", "d": "dd"}[letter], pattern)
        return pattern

    def input_placeholder(self, day: str, month: str, year: str) -> str:
        """`MM/DD/YYYY` / `GG.AA.YYYY`: the order `input_date` expects, with the parts' letters
        in the viewer's language."""
        letters = {"yyyy": year, "MM": month, "dd": day}
        return re.sub(r"yyyy|MM|dd", lambda m: letters[m.group()], self._input_pattern)

    def parse_input_date(self, text: str) -> dt.date:
        """A date typed in the locale's order (`input_date`) or as YYYY-MM-DD; ValueError if
        neither."""
        text = text.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        parts = re.findall(r"\d+", text)
        if len(parts) != 3 or len(re.sub(r"[\d\s./-]", "", text)) > 0:
            raise ValueError(text)
        found = dict(zip(self._input_order, (int(p) for p in parts), strict=True))
        if found["year"] < 100:
            raise ValueError(text)
        return dt.date(found["year"], found["month"], found["day"])

    @cached_property
    def _input_order(self) -> tuple[str, ...]:
        order = []
        for match in re.finditer(r"y+|M+|d+", self._input_pattern):
            order.append({"y": "year", "M": "month", "d": "day"}[match.group()[0]])
        return tuple(order)

    def clock(self, seconds: int | None) -> str:
        """`4:05`: a call's talk or hold time; blank for none."""
        return "" if seconds is None else clock(seconds)

    def duration(self, delta: dt.timedelta) -> str:
        """`in 5 minutes` / `5 minutes ago`, worded in the viewer's language."""
        return format_timedelta(delta, add_direction=True, locale=self._locale)

    def span(self, delta: dt.timedelta) -> str:
        """`3 days` / `3 gün`: how long something has lasted, to its largest unit."""
        return format_timedelta(delta, threshold=1.0, locale=self._locale)

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self._locale.territories.get(code.upper(), code))

    def language(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self._locale.languages.get(code.lower(), code))

    def iso(self, value: dt.datetime) -> str:
        """Machine-readable, for <time datetime=…>."""
        return value.astimezone(self._zone).isoformat(timespec="minutes")
