"""The dashboards' tables: one definition serves the HTML table, its chart and its exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from leadflow.analytics.kpi import Count, Speed
from leadflow.domain.configuration import Configuration
from leadflow.services.reporting.dashboards import Dashboard
from leadflow.services.reporting.overview import Member
from leadflow.services.work.rota import AgentNow
from leadflow.web.ui.dashboard.drill import Drill
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import label_key

Kind = Literal["text", "number", "percent", "duration", "datetime", "date"]
Section = Literal["volume", "speed", "conversion", "people", "queue"]
SECTIONS: tuple[tuple[Section, str], ...] = (
    ("volume", N_("Volume")),
    ("speed", N_("Speed")),
    ("conversion", N_("Conversion")),
    ("people", N_("People")),
    ("queue", N_("Queue")),
)
"""The dashboard's tabs, in order."""
TOP = 10
"""Rows a long table shows on the dashboard; the rest add up to one "Other" row."""


@dataclass(frozen=True)
class Column:
    heading: str
    """Untranslated; templates and exports translate it."""
    kind: Kind = "number"


@dataclass(frozen=True)
class Table:
    """Rows of raw values (texts already in the viewer's language); the first column names the
    row. `chart` lists the columns drawn (bars by the first column, or lines over the days of a
    trend); `links` the Leads page address of each row's leads (drill-down)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: tuple[int, ...] = ()
    note: str = ""
    section: Section = "volume"
    links: Sequence[str | None] = ()
    chart_kind: Literal["bar", "line"] = "bar"
    all_rows: int | None = None
    """When the rows are the top ones and an "Other" row: how many the full table has."""
    extra: dict[str, Any] = field(default_factory=dict)

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


def top(table: Table, other: str, n: int = TOP) -> Table:
    """The `n` first rows and one row adding up the rest (counts and shares add up), for a
    table of more than `n + 1` rows."""
    if len(table.rows) <= n + 1:
        return table
    rest = table.rows[n:]
    summed: list[Any] = [other]
    for i, column in enumerate(table.columns[1:], start=1):
        additive = column.kind in ("number", "percent")
        summed.append(sum(row[i] or 0 for row in rest) if additive else None)
    return replace(
        table, rows=[*table.rows[:n], summed], links=list(table.links[:n]), all_rows=len(table.rows)
    )


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


_DRILLABLE = frozenset({"country", "language", "source", "campaign"})
"""Mix dimensions the Leads page filters on (not treatment)."""


def mix_table(dimension: str, counts: list[Count], total: int, names: Names, drill: Drill) -> Table:
    title, heading = _MIX[dimension]
    rows = [
        [names.value(dimension, c.value), c.leads, c.leads / total if total else None]
        for c in counts
    ]
    links = [
        drill.leads(**{dimension: c.value}) if dimension in _DRILLABLE and c.value else None
        for c in counts
    ]
    columns = [Column(heading, "text"), Column(N_("Leads")), Column(N_("Share"), "percent")]
    return Table(dimension, title, columns, rows, chart=(1,), links=links)


_SPEED_COLUMNS = [
    Column(N_("Leads")),
    Column(N_("Contacted")),
    Column(N_("Contact rate"), "percent"),
    Column(N_("Median speed to lead"), "duration"),
    Column(N_("90th percentile"), "duration"),
    Column(N_("Contacted within 5 minutes"), "percent"),
    Column(N_("SLA breaches")),
]


def _speed_cells(s: Speed) -> list[Any]:
    return [s.leads, s.contacted, s.contact_rate, s.median_s, s.p90_s, s.fast_share, s.breaches]


def speed_by_team(dashboard: Dashboard, names: Names, drill: Drill) -> Table:
    rows = [[names.team(s.key), *_speed_cells(s)] for s in dashboard.teams]
    links = [drill.leads(team=s.key) if s.key else None for s in dashboard.teams]
    columns = [Column(N_("Team"), "text"), *_SPEED_COLUMNS]
    title = N_("Speed to lead by team")
    return Table("speed_teams", title, columns, rows, (4,), section="speed", links=links)


def speed_by_agent(dashboard: Dashboard, names: Names, drill: Drill) -> Table:
    rows = [[names.agent(s.key), *_speed_cells(s)] for s in dashboard.agents]
    links = [drill.leads(owner=s.key) for s in dashboard.agents]
    columns = [Column(N_("Agent"), "text"), *_SPEED_COLUMNS]
    title = N_("Speed to lead by agent")
    return Table("speed_agents", title, columns, rows, (4,), section="speed", links=links)


def funnel_table(dashboard: Dashboard, gettext: Callable[[str], str], drill: Drill) -> Table:
    rows = [
        [gettext(label_key("stage", s.stage) or N_("No stage")), s.leads, s.reached]
        for s in dashboard.funnel
    ]
    links = [drill.leads(stage=s.stage) if s.stage else None for s in dashboard.funnel]
    columns = [
        Column(N_("Stage"), "text"),
        Column(N_("Leads at this stage now")),
        Column(N_("At this stage or later")),
    ]
    title = N_("Stage funnel")
    return Table("funnel", title, columns, rows, (2,), section="conversion", links=links)


def pools_table(dashboard: Dashboard, names: Names, drill: Drill) -> Table:
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
    links = [drill.leads(pipeline=s.pipeline, owner=s.agent) for s in dashboard.pools]
    note = N_("Each pool member's share of the pool's leads against their weight's share.")
    title = N_("Distribution against target ratios")
    return Table("pools", title, columns, rows, (2, 3), note, "people", links)


def queue_table(dashboard: Dashboard, names: Names, now: datetime, drill: Drill) -> Table:
    rows = [
        [names.pipeline(w.pipeline), w.leads, w.oldest, (now - w.oldest).total_seconds()]
        for w in dashboard.queue
    ]
    columns = [
        Column(N_("Pipeline"), "text"),
        Column(N_("Waiting now")),
        Column(N_("Oldest received"), "datetime"),
        Column(N_("Oldest waiting for"), "duration"),
    ]
    links = [drill.waiting(w.pipeline) for w in dashboard.queue]
    note = N_("Leads without an agent now, whenever they arrived.")
    return Table("queue", N_("Queue"), columns, rows, (1,), note, "queue", links)


def breaches_table(dashboard: Dashboard, names: Names, drill: Drill) -> Table:
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
    links = [drill.leads(owner=k) for k in keys]
    note = N_("A breach is a first contact after the deadline, or none yet with the deadline past.")
    return Table("breaches", N_("SLA breaches"), columns, rows, (1,), note, "speed", links)


def leaderboard_table(dashboard: Dashboard, names: Names, drill: Drill) -> Table:
    ranked = sorted(dashboard.agents, key=lambda s: (-s.won, -s.contacted, s.key or ""))
    rows = [[names.agent(s.key), s.leads, s.contacted, s.won, s.median_s] for s in ranked]
    columns = [
        Column(N_("Agent"), "text"),
        Column(N_("Leads")),
        Column(N_("Contacted")),
        Column(N_("Won")),
        Column(N_("Median speed to lead"), "duration"),
    ]
    links = [drill.leads(owner=s.key) for s in ranked]
    title = N_("Leaderboard")
    return Table("leaderboard", title, columns, rows, (3,), section="people", links=links)


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
    title = N_("Members' load against caps")
    return Table("load", title, columns, rows, (2,), note, "people")


_REASONS = {
    "off_shift": N_("Off shift"),
    "on_leave": N_("On leave"),
    "holiday": N_("Holiday"),
    "no_schedule": N_("No schedule"),
    "paused": N_("Paused"),
    "left": N_("Left"),
}


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def rota_table(agents: Sequence[AgentNow], names: Names, gettext: Callable[[str], str]) -> Table:
    rows = [
        [
            a.name,
            names.team(a.team),
            gettext("On shift") if a.available else gettext("Off"),
            gettext(_REASONS.get(a.reason, a.reason)) if a.reason else "",
            ", ".join(
                f"{_day(item['start'], names.fmt)} – {_day(item['end'], names.fmt)}"
                for item in a.leave_this_week
            ),
            _local_time(a, names.fmt, gettext),
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
    return Table("rota", N_("Who is on shift and on leave now"), columns, rows, section="people")


def _day(text: str, fmt: Formatter) -> str:
    """A leave's start or end (an ISO date, or date and time) in the viewer's format."""
    value = datetime.fromisoformat(text)
    return fmt.date(value.date()) if len(text) == 10 else fmt.datetime(value)


def _local_time(agent: AgentNow, fmt: Formatter, gettext: Callable[[str], str]) -> str:
    """'Çar 11:00 (Europe/Berlin)': the agent's clock now, weekday and time in the reader's
    language and format."""
    local = agent.local_at
    zone = str(local.tzinfo)
    clock = Formatter(fmt.locale, zone).time(local)
    return f"{gettext(_WEEKDAYS[local.weekday()])} {clock} ({zone})"
