"""Drill-down: the address of the Leads page listing the leads behind a figure (the page's and
its API's parameter names: /work/notes/leads-url.md, the `leads` feature)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from leadflow.web.ui.dashboard.filters import Chosen

LEADS_PAGE = "/leads"
WAITING_STATUSES = ("queued", "unassigned", "unrouted")
"""Routing statuses of a lead still without an agent."""


@dataclass(frozen=True)
class Drill:
    """The chosen period (as exact instants, so the list holds the same leads as the figure),
    team and pipeline; each link adds what its row or bar stands for."""

    start: datetime
    end: datetime
    team: str
    pipeline: str

    @classmethod
    def of(cls, chosen: Chosen) -> Drill:
        filters = chosen.filters
        return cls(filters.start, filters.end, chosen.team, chosen.pipeline)

    def leads(self, **params: str | None) -> str:
        """Leads received in the period with `params` (None: a lead without that value, which
        the Leads page names `none` for the owner only; other missing values get no link)."""
        return self._link(self.start, self.end, params)

    def between(self, first: date, days: int, zone: ZoneInfo) -> str:
        """The leads of `days` days from `first` (in `zone`), within the period."""
        start = max(self.start, datetime.combine(first, datetime.min.time(), zone))
        end = min(
            self.end, datetime.combine(first + timedelta(days=days), datetime.min.time(), zone)
        )
        return self._link(start, end, {})

    def waiting(self, pipeline: str | None) -> str:
        """Leads without an agent now, whenever received."""
        values: list[tuple[str, str]] = [("status", s) for s in WAITING_STATUSES]
        values += self._scope()
        if pipeline:
            values = [(k, v) for k, v in values if k != "pipeline"] + [("pipeline", pipeline)]
        return f"{LEADS_PAGE}?{urlencode(values)}"

    def _scope(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in (("team", self.team), ("pipeline", self.pipeline)) if v]

    def _link(self, start: datetime, end: datetime, params: dict[str, str | None]) -> str:
        values = self._scope()
        for key, value in params.items():
            values = [(k, v) for k, v in values if k != key]
            values.append((key, value if value is not None else "none"))
        values += [("received_from", start.isoformat()), ("received_to", end.isoformat())]
        return f"{LEADS_PAGE}?{urlencode(values)}"
