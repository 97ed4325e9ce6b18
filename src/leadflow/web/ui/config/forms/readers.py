"""Reading the configuration screens' text fields: shifts, dates, lists, calendars.

Each reader returns the value for the configuration document, or records a problem (an
untranslated message and its variables) under the field's name in a `FieldProblems`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import holidays as holiday_data

from leadflow.domain.configuration import Interval
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_

Message = tuple[str, dict[str, Any]]
_DAY_OFF = {"off", "-", "izin", "kapalı"}


class FieldProblems(dict[str, Message]):
    """Field name → (untranslated message, its variables); the first problem of a field wins."""

    def add(self, name: str, message: str, /, **variables: Any) -> None:
        self.setdefault(name, (message, variables))

    def worded(self, gettext: Any) -> dict[str, str]:
        """The messages in the reader's language (`gettext` is `Page.gettext`)."""
        return {name: gettext(text, **variables) for name, (text, variables) in self.items()}


def words(text: str) -> list[str]:
    """Items separated by commas, semicolons or spaces, each once, in order."""
    return list(dict.fromkeys(word for word in re.split(r"[\s,;]+", text) if word))


def intervals(text: str) -> list[str]:
    """ "09:00-13:00, 14:00-18:00" → the intervals as text; "" and "off" → none (ValueError)."""
    cleaned = text.strip()
    if not cleaned or cleaned.lower() in _DAY_OFF:
        return []
    return [str(Interval.parse(part)) for part in re.split(r"[,;]", cleaned) if part.strip()]


def read_intervals(problems: FieldProblems, field: str, text: str) -> list[str]:
    try:
        return intervals(text)
    except ValueError:
        problems.add(
            field,
            N_("Write hours like 09:00-17:00, or several like 09:00-13:00, 14:00-18:00."),
        )
        return []


def shown_intervals(items: list[Any]) -> str:
    return ", ".join(str(item) for item in items)


def read_int(problems: FieldProblems, field: str, text: str, *, least: int = 0) -> int | None:
    cleaned = text.strip()
    if not re.fullmatch(r"-?\d+", cleaned) or int(cleaned) < least:
        problems.add(field, N_("Enter a whole number of %(least)s or more."), least=least)
        return None
    return int(cleaned)


def read_date(
    problems: FieldProblems, field: str, text: str, fmt: Formatter | None = None
) -> date | None:
    """A date as YYYY-MM-DD, or as `fmt`'s locale orders it (the form's text field)."""
    try:
        return fmt.parse_input_date(text) if fmt else date.fromisoformat(text.strip())
    except ValueError:
        if fmt:
            problems.add(field, N_("Enter a date in the order the field shows."))
        else:
            problems.add(field, N_("Enter a date like 2026-12-31."))
        return None


def read_choice(problems: FieldProblems, field: str, value: str, choices: list[str]) -> str:
    if value not in choices:
        problems.add(field, N_("Choose one of the options."))
    return value


def calendar_codes(text: str) -> tuple[list[str], dict[str, str]]:
    """ "TR, DE-BY" → countries [TR, DE] and subdivisions {DE: BY} (ValueError naming a code)."""
    countries: list[str] = []
    subdivisions: dict[str, str] = {}
    for code in words(text.upper()):
        country, _, subdivision = code.partition("-")
        if country not in holiday_data.list_supported_countries():
            raise ValueError(code)
        if subdivision:
            known = {s.upper(): s for s in holiday_data.country_holidays(country).subdivisions}
            if subdivision not in known:
                raise ValueError(code)
            subdivisions[country] = known[subdivision]
        countries.append(country)
    return list(dict.fromkeys(countries)), subdivisions


def shown_calendar(countries: list[str], subdivisions: dict[str, str]) -> str:
    return ", ".join(f"{c}-{subdivisions[c]}" if c in subdivisions else c for c in countries)


def calendar_choices() -> list[tuple[str, str]]:
    """(code, description) of every country and subdivision the `holidays` package knows."""
    choices = []
    for country, subdivisions in sorted(holiday_data.list_supported_countries().items()):
        choices.append((country, country))
        choices.extend((f"{country}-{s.upper()}", f"{country} / {s}") for s in subdivisions)
    return choices


def company_days(problems: FieldProblems, field: str, text: str) -> list[dict[str, Any]]:
    """One day a line: "2026-12-31 | New Year's Eve | 09:00-13:00" (hours still worked, for a
    half day; none for a whole day off)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        try:
            day = date.fromisoformat(parts[0])
            worked = intervals(parts[2]) if len(parts) > 2 else []
        except ValueError:
            problems.add(
                field,
                N_("Line %(line)s: write 2026-12-31 | Name | 09:00-13:00 (hours optional)."),
                line=number,
            )
            continue
        name = parts[1] if len(parts) > 1 and parts[1] else day.isoformat()
        found.append({"date": day.isoformat(), "name": name, "intervals": worked})
    return found


def shown_company_days(days: list[Any]) -> str:
    lines = []
    for day in days:
        hours = f" | {shown_intervals(day.intervals)}" if day.intervals else ""
        lines.append(f"{day.date.isoformat()} | {day.name}{hours}")
    return "\n".join(lines)
