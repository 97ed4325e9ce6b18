"""What the data-quality page shows of a `GapReport`: names in the viewer's language, the table's
lines, the bar charts of the totals, and the same lines as a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from leadflow.domain.configuration import Configuration
from leadflow.services.workflow.quality import Filters
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.spreadsheets import Sheet
from leadflow.web.ui.shell.vocabulary import label_key, own_name
from leadflow.workflow.gaps import GapReport, GapTotal, LeadGap, requirements

FILTERS = ("team", "agent", "pipeline", "stage", "field")
LABELS = {
    "team": N_("Team"),
    "agent": N_("Agent"),
    "pipeline": N_("Pipeline"),
    "stage": N_("Stage"),
    "field": N_("Missing field"),
}
HEADINGS = (
    N_("Lead"),
    N_("Name"),
    N_("Pipeline"),
    N_("Stage"),
    N_("Owner"),
    N_("Team"),
    N_("Missing fields"),
    N_("Missing since"),
    N_("Days missing"),
)


@dataclass(frozen=True)
class Names:
    """Display names of keys: the configuration's own, or our words in the viewer's language."""

    configuration: Configuration
    gettext: Callable[[str], str]

    def team(self, key: str | None) -> str:
        found = next((t.name for t in self.configuration.teams if t.key == key), key)
        return found or ""

    def agent(self, key: str | None) -> str:
        found = next((a.name for a in self.configuration.agents if a.key == key), key)
        return found or self.gettext("No agent")

    def agent_of(self, total: GapTotal) -> str:
        """An agent's row; the leads nobody owns, per team, are told apart by the team."""
        if total.agent is None:
            return f"{self.agent(None)} ({self.team(total.team)})"
        return self.agent(total.agent)

    def pipeline(self, key: str) -> str:
        return next((p.name for p in self.configuration.pipelines if p.key == key), key)

    def stage(self, pipeline: str | None, key: str) -> str:
        for candidate in self.configuration.pipelines:
            stage = candidate.stage(key)
            own = own_name("stage", key, stage.name) if stage is not None else None
            if own is not None and pipeline in (None, candidate.key):
                return own
        return self.gettext(label_key("stage", key))

    def field(self, key: str) -> str:
        definition = self.configuration.field(key)
        if definition is not None:
            return definition.label
        return self.gettext(label_key("field", key))


@dataclass(frozen=True)
class Line:
    """One lead of the table, its values already in the viewer's language."""

    gap: LeadGap
    name: str
    pipeline: str
    stage: str
    owner: str
    team: str
    fields: list[str]
    age: str


def lines(report: GapReport, names: Names, fmt: Formatter, now: datetime) -> list[Line]:
    return [
        Line(
            gap=gap,
            name=gap.name or f"#{gap.lead_id}",
            pipeline=names.pipeline(gap.pipeline),
            stage=names.stage(gap.pipeline, gap.stage),
            owner=names.agent(gap.owner),
            team=names.team(gap.team),
            fields=[names.field(key) for key in gap.missing],
            age=fmt.span(gap.age(now)),
        )
        for gap in report.leads
    ]


def chart(
    totals: Sequence[GapTotal],
    label: Callable[[GapTotal], str],
    gettext: Callable[[str], str],
    fmt: Formatter,
) -> dict[str, Any]:
    """What app.js draws (the dashboards' shape): leads with gaps per row, and the fields they
    miss beside them."""
    shown = totals[:12]

    def series(name: str, values: list[int]) -> dict[str, Any]:
        return {"name": name, "values": values, "shown": [fmt.number(v) for v in values]}

    return {
        "kind": "bar",
        "labels": [label(total) for total in shown],
        "series": [
            series(gettext("Leads with missing fields"), [t.leads for t in shown]),
            series(gettext("Missing fields"), [t.missing_fields for t in shown]),
        ],
        "axis": gettext("Leads"),
        "whole": True,
    }


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


def stage_choices(configuration: Configuration, names: Names) -> list[Choice]:
    """The stages that require anything (the only ones with gaps)."""
    keys = dict.fromkeys(r.stage for r in requirements(configuration))
    return [Choice(key, names.stage(None, key)) for key in keys]


def field_choices(configuration: Configuration, names: Names) -> list[Choice]:
    keys = dict.fromkeys(r.field for r in requirements(configuration))
    return sorted((Choice(key, names.field(key)) for key in keys), key=lambda c: c.label)


def read_filters(params: Any) -> Filters:
    """The address's filters; a blank one is no filter."""
    values = {name: (params.get(name) or "").strip() or None for name in FILTERS}
    return Filters(**values)


def query_of(filters: Filters) -> str:
    values = {name: getattr(filters, name) for name in FILTERS}
    return urlencode({k: v for k, v in values.items() if v})


def sheet(report: GapReport, names: Names, now: datetime, gettext: Callable[[str], str]) -> Sheet:
    """Every lead of the report (the export is not cut at the page's limit)."""
    rows = [
        [
            gap.lead_id,
            gap.name,
            names.pipeline(gap.pipeline),
            names.stage(gap.pipeline, gap.stage),
            names.agent(gap.owner),
            names.team(gap.team),
            "; ".join(names.field(key) for key in gap.missing),
            gap.since,
            round(gap.age(now) / timedelta(days=1), 1),
        ]
        for gap in report.leads
    ]
    formats = [None] * 7 + ["yyyy-mm-dd hh:mm", "0.0"]
    return Sheet("data_quality", [gettext(h) for h in HEADINGS], rows, formats)
