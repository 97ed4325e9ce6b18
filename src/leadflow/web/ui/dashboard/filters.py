"""The dashboards' filters, read from the address so a view can be shared: `days` (a preset,
which wins) or `from`/`to` (dates in the viewer's time zone), `team`, `pipeline`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from leadflow.services.reporting.dashboards import Filters
from leadflow.web.ui.shell.formatting import Formatter, zone
from leadflow.web.ui.shell.i18n import N_

PRESETS = (1, 7, 30, 90)
"""Days a viewer can look back over with one click."""
DEFAULT_DAYS = 30
MAX_DAYS = 800


class BadFilter(ValueError):
    """A filter value that cannot be used; `field` names the input, `message` is untranslated."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Chosen:
    """What the viewer chose, as typed (for the form and for links), and the filters it means."""

    days: int | None
    start_day: str
    end_day: str
    team: str
    pipeline: str
    filters: Filters

    @property
    def start_day_date(self) -> date:
        return date.fromisoformat(self.start_day)

    @property
    def end_day_date(self) -> date:
        return date.fromisoformat(self.end_day)

    def query(self) -> str:
        """The same view's query string (for exports, the live board and shared links)."""
        values = {"team": self.team, "pipeline": self.pipeline}
        if self.days is not None:
            values["days"] = str(self.days)
        else:
            values |= {"from": self.start_day, "to": self.end_day}
        return urlencode({k: v for k, v in values.items() if v})


def read(params: QueryParams, now: datetime, timezone: str, fmt: Formatter | None = None) -> Chosen:
    """The filters in `params`; raises `BadFilter` naming the first unusable one. Dates are
    typed in the locale's order of `fmt` (as the form shows them) or as YYYY-MM-DD."""
    team = params.get("team", "").strip()
    pipeline = params.get("pipeline", "").strip()
    start_text, end_text = params.get("from", "").strip(), params.get("to", "").strip()
    tz = zone(timezone)
    days_text = params.get("days", "").strip()
    if not days_text and (start_text or end_text):
        today = now.astimezone(tz).date()
        first = _day(start_text, "from", fmt) if start_text else today - timedelta(DEFAULT_DAYS)
        last = _day(end_text, "to", fmt) if end_text else today
        if last < first:
            raise BadFilter("to", N_("The end date is before the start date."))
        if (last - first).days > MAX_DAYS:
            raise BadFilter("from", N_("Choose a period of at most 800 days."))
        start = datetime.combine(first, time(), tz)
        end = datetime.combine(last + timedelta(days=1), time(), tz)
        filters = Filters(start, end, team or None, pipeline or None)
        return Chosen(None, first.isoformat(), last.isoformat(), team, pipeline, filters)
    days = _days(days_text)
    filters = Filters(now - timedelta(days=days), now, team or None, pipeline or None)
    local = (filters.start.astimezone(tz).date(), now.astimezone(tz).date())
    return Chosen(days, local[0].isoformat(), local[1].isoformat(), team, pipeline, filters)


def default(now: datetime, timezone: str) -> Chosen:
    return read(QueryParams(""), now, timezone)


def _day(text: str, field: str, fmt: Formatter | None) -> date:
    try:
        return fmt.parse_input_date(text) if fmt else date.fromisoformat(text)
    except ValueError:
        raise BadFilter(field, N_("Enter a date in the order the field shows.")) from None


def _days(text: str) -> int:
    if not text:
        return DEFAULT_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise BadFilter("days", N_("Choose a period of at most 800 days."))
    return int(text)
