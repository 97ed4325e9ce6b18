"""The dashboards' tables: one definition serves the HTML table, its chart and its exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from leadflow.analytics.kpi import Count, Speed
from leadflow.domain.configuration import Configuration
from leadflow.services.reporting.dashboards import Dashboard
from leadflow.services.reporting.overview import Member
from leadflow.services.work.rota import AgentNow
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import label_key

Kind = Literal["text", "number", "percent", "minutes", "datetime"]


@dataclass(frozen=True)
class Column:
    heading: str
    """Untranslated; templates and exports translate it."""
    kind: Kind = "number"


@dataclass(frozen=True)
class Table:
    """Rows of raw values (texts already in the viewer's language); the first column names the
    row. `chart` lists the columns drawn as bars, labelled by the first column."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: tuple[int, ...] = ()
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def chart_data(self, gettext: Callable[[str], str], limit: int = 12) -> dict[str, Any]:
        """What app.js draws: labels, the first series' values, then any further series."""
        rows = self.rows[:limit]
        series = []
        for i in self.chart:
            column = self.columns[i]
            values = [_plot(row[i], column.kind) for row in rows]
            series.append({"name": gettext(column.heading), "values": values})
        return {
            "labels": [str(row[0]) for row in rows],
            "values": series[0]["values"],
            "series": series[0]["name"],
            "more": series[1:],
        }


def _plot(value: Any, kind: Kind) -> float | int:
    """Bars in the unit the table shows: percent, minutes, counts."""
    if value is None:
        return 0
    if kind == "percent":
        return round(float(value) * 100, 1)
    if kind == "minutes":
        return round(float(value) / 60, 1)
    return int(value)


@dataclass(frozen=True)
class Names:
    """Display names of keys, in the viewer's language."""

    configuration: Configuration
    fmt: Formatter
    gettext: Callable[[str], str]

    def agent(self, key: str | None) -> str:
        found = next((a.name for a in self.configuration.agents if a.key == key), key)
        return found or self.gettext("No agent")

    def team(self, key: str | None) -> str:
        found = next((t.name for t in self.configuration.teams if t.key == key), key)
        return found or self.gettext("No agent")

    def pipeline(self, key: str | None) -> str:
        found = next((p.name for p in self.configuration.pipelines if p.key == key), key)
        return found or self.gettext("No pipeline")

    def value(self, dimension: str, value: str | None) -> str:
        if not value:
            return self.gettext("Unknown")
        if dimension == "country":
            return self.fmt.country(value)
        if dimension == "language":
            return self.fmt.language(value)
        if dimension in ("source", "treatment"):
            return self.gettext(label_key(dimension, value))
        return value


_MIX = {
    "country": (N_("Leads by country"), N_("Country")),
    "language": (N_("Leads by language"), N_("Language")),
    "source": (N_("Leads by source"), N_("Source")),
    "campaign": (N_("Leads by campaign"), N_("Campaign")),
    "treatment": (N_("Leads by treatment"), N_("Treatment")),
}


def mix_table(dimension: str, counts: list[Count], total: int, names: Names) -> Table:
    title, heading = _MIX[dimension]
    rows = [
        [names.value(dimension, c.value), c.leads, c.leads / total if total else None]
        for c in counts
    ]
    columns = [Column(heading, "text"), Column(N_("Leads")), Column(N_("Share"), "percent")]
    return Table(dimension, title, columns, rows, chart=(1,))


_SPEED_COLUMNS = [
    Column(N_("Leads")),
    Column(N_("Contacted")),
    Column(N_("Contact rate"), "percent"),
    Column(N_("Median speed to lead"), "minutes"),
    Column(N_("90th percentile"), "minutes"),
    Column(N_("Contacted within 5 minutes"), "percent"),
    Column(N_("SLA breaches")),
]


def _speed_cells(s: Speed) -> list[Any]:
    return [s.leads, s.contacted, s.contact_rate, s.median_s, s.p90_s, s.fast_share, s.breaches]


def speed_by_team(dashboard: Dashboard, names: Names) -> Table:
    rows = [[names.team(s.key), *_speed_cells(s)] for s in dashboard.teams]
    columns = [Column(N_("Team"), "text"), *_SPEED_COLUMNS]
    return Table("speed_teams", N_("Speed to lead by team"), columns, rows, chart=(4,))


def speed_by_agent(dashboard: Dashboard, names: Names) -> Table:
    rows = [[names.agent(s.key), *_speed_cells(s)] for s in dashboard.agents]
    columns = [Column(N_("Agent"), "text"), *_SPEED_COLUMNS]
    return Table("speed_agents", N_("Speed to lead by agent"), columns, rows, chart=(4,))


def funnel_table(dashboard: Dashboard, gettext: Callable[[str], str]) -> Table:
    rows = [
        [gettext(label_key("stage", s.stage) or N_("No stage")), s.leads, s.reached]
        for s in dashboard.funnel
    ]
    columns = [
        Column(N_("Stage"), "text"),
        Column(N_("Leads at this stage now")),
        Column(N_("At this stage or later")),
    ]
    return Table("funnel", N_("Stage funnel"), columns, rows, chart=(2,))


def pools_table(dashboard: Dashboard, names: Names) -> Table:
    rows = [
        [
            f"{names.pipeline(s.pipeline)} · {names.agent(s.agent)}",
            s.leads,
            s.actual,
            s.target,
        ]
        for s in dashboard.pools
    ]
    columns = [
        Column(N_("Pool and agent"), "text"),
        Column(N_("Leads")),
        Column(N_("Actual share"), "percent"),
        Column(N_("Target share"), "percent"),
    ]
    note = N_("Each pool member's share of the pool's leads against their weight's share.")
    return Table("pools", N_("Distribution against target ratios"), columns, rows, (2, 3), note)


def queue_table(dashboard: Dashboard, names: Names, now: datetime) -> Table:
    rows = [
        [names.pipeline(w.pipeline), w.leads, w.oldest, (now - w.oldest).total_seconds()]
        for w in dashboard.queue
    ]
    columns = [
        Column(N_("Pipeline"), "text"),
        Column(N_("Waiting now")),
        Column(N_("Oldest received"), "datetime"),
        Column(N_("Oldest waiting for"), "minutes"),
    ]
    note = N_("Leads without an agent now, whenever they arrived.")
    return Table("queue", N_("Queue"), columns, rows, chart=(1,), note=note)


def breaches_table(dashboard: Dashboard, names: Names) -> Table:
    in_period = {s.key: s.breaches for s in dashboard.agents}
    keys = sorted(
        {k for k, n in in_period.items() if n} | set(dashboard.overdue),
        key=lambda k: (-(in_period.get(k, 0)), -(dashboard.overdue.get(k, 0)), k or ""),
    )
    rows = [[names.agent(k), in_period.get(k, 0), dashboard.overdue.get(k, 0)] for k in keys]
    columns = [
        Column(N_("Agent"), "text"),
        Column(N_("SLA breaches in the period")),
        Column(N_("Overdue now")),
    ]
    note = N_("A breach is a first contact after the deadline, or none yet with the deadline past.")
    return Table("breaches", N_("SLA breaches"), columns, rows, chart=(1,), note=note)


def leaderboard_table(dashboard: Dashboard, names: Names) -> Table:
    ranked = sorted(dashboard.agents, key=lambda s: (-s.won, -s.contacted, s.key or ""))
    rows = [[names.agent(s.key), s.leads, s.contacted, s.won, s.median_s] for s in ranked]
    columns = [
        Column(N_("Agent"), "text"),
        Column(N_("Leads")),
        Column(N_("Contacted")),
        Column(N_("Won")),
        Column(N_("Median speed to lead"), "minutes"),
    ]
    return Table("leaderboard", N_("Leaderboard"), columns, rows, chart=(3,))


def load_table(members: Sequence[Member]) -> Table:
    rows = []
    for m in members:
        caps = m.caps
        rows.append(
            [
                m.agent.name,
                m.team_name,
                *(m.load.today, caps.day, m.load.week, caps.week),
                *(m.load.month, caps.month, m.load.open, caps.open),
            ]
        )
    columns = [
        Column(N_("Agent"), "text"),
        Column(N_("Team"), "text"),
        *(Column(N_("Today")), Column(N_("Daily cap")), Column(N_("This week"))),
        *(Column(N_("Weekly cap")), Column(N_("This month")), Column(N_("Monthly cap"))),
        *(Column(N_("Open")), Column(N_("Open cap"))),
    ]
    note = N_(
        "New leads today, this week and this month (in the member's time zone) and open "
        "leads, against each member's caps."
    )
    return Table("load", N_("Members' load against caps"), columns, rows, chart=(2,), note=note)


_REASONS = {
    "off_shift": N_("Off shift"),
    "on_leave": N_("On leave"),
    "holiday": N_("Holiday"),
    "no_schedule": N_("No schedule"),
    "paused": N_("Paused"),
    "left": N_("Left"),
}


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _local_time(agent: AgentNow, gettext: Callable[[str], str]) -> str:
    """'Pzt 09:00 Europe/Berlin': the agent's weekday in the reader's language."""
    local = agent.local_at
    return f"{gettext(_WEEKDAYS[local.weekday()])} {local:%H:%M} {local.tzinfo}"


def rota_table(agents: Sequence[AgentNow], names: Names, gettext: Callable[[str], str]) -> Table:
    rows = [
        [
            a.name,
            names.team(a.team),
            gettext("On shift") if a.available else gettext("Off"),
            gettext(_REASONS.get(a.reason, a.reason)) if a.reason else "",
            ", ".join(f"{item['start']} – {item['end']}" for item in a.leave_this_week),
            _local_time(a, gettext),
        ]
        for a in agents
    ]
    columns = [
        Column(N_("Agent"), "text"),
        Column(N_("Team"), "text"),
        Column(N_("Now"), "text"),
        Column(N_("Why not available"), "text"),
        Column(N_("Leave this week"), "text"),
        Column(N_("Local time"), "text"),
    ]
    return Table("rota", N_("Who is on shift and on leave now"), columns, rows)
