"""The manager's and team lead's dashboards (their home page), the live board of arriving leads,
and each table's CSV and Excel export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from fastapi.responses import Response

from leadflow.services.access.scoping import Role, can_see_team, require
from leadflow.services.reporting import dashboards, overview, trends
from leadflow.services.reporting.dashboards import Dashboard, UnknownFilter
from leadflow.services.work import rota
from leadflow.web.ui.dashboard import export as exports
from leadflow.web.ui.dashboard import filters, headline, tables
from leadflow.web.ui.dashboard.charts import chart_data
from leadflow.web.ui.dashboard.drill import Drill
from leadflow.web.ui.dashboard.filters import BadFilter, Chosen
from leadflow.web.ui.dashboard.tables import Names, Table
from leadflow.web.ui.dashboard.trend_tables import trend_tables
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/dashboard")

LIVE_LIMIT = 15
LIVE_SECONDS = 5


_FIELDS = {
    "days": N_("Period"),
    "from": N_("From"),
    "to": N_("To"),
    "team": N_("Team"),
    "pipeline": N_("Pipeline"),
}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


async def dashboard_page(page: Page) -> Response:
    """The dashboard for a manager, an administrator or a team lead, with the address's filters;
    unusable filters re-render the default view with a message naming the field (422)."""
    require(dashboards.can_view(page.viewer), "dashboards")
    problem = None
    try:
        chosen = _chosen(page)
        figures = await _figures(page, chosen)
    except (BadFilter, UnknownFilter) as error:
        problem = _problem(error)
        chosen = filters.default(page.now, page.account.timezone)
        figures = await _figures(page, chosen)
    configuration = await page.configuration()
    live = await dashboards.live_leads(
        page.store, page.viewer, configuration, chosen.filters, limit=LIVE_LIMIT
    )
    template = "home/team_lead.html" if page.viewer.role is Role.TEAM_LEAD else "home/manager.html"
    if _wants_fragment(page) and problem is None:
        template = "partials/dashboard.html"
    return page.render(
        template,
        status=422 if problem else 200,
        section="home",
        problem=problem,
        problem_labels=_FIELDS,
        presets=filters.PRESETS,
        live_seconds=LIVE_SECONDS,
        leads=[overview.line(row) for row in live],
        agent_names={agent.key: agent.name for agent in configuration.agents},
        now=page.now,
        charts={t.key: chart_data(t, page.fmt, page.gettext) for t in figures["tables"]},
        sections=tables.SECTIONS,
        date_placeholder=page.fmt.input_placeholder(
            page.gettext("DD"), page.gettext("MM"), page.gettext("YYYY")
        ),
        **figures,
    )


@router.get("/live")
async def live_board(page: PageDep) -> Response:
    """The newest leads of the chosen team and pipeline (polled by the page)."""
    require(dashboards.can_view(page.viewer), "dashboards")
    configuration = await page.configuration()
    try:
        chosen = _chosen(page)
        rows = await dashboards.live_leads(
            page.store, page.viewer, configuration, chosen.filters, limit=LIVE_LIMIT
        )
    except (BadFilter, UnknownFilter) as error:
        raise HTTPException(400, str(error)) from None
    return page.render(
        "partials/live_board.html",
        chosen=chosen,
        leads=[overview.line(row) for row in rows],
        agent_names={agent.key: agent.name for agent in configuration.agents},
        live_seconds=LIVE_SECONDS,
        now=page.now,
    )


@router.get("/export/{filename}")
async def export(page: PageDep, filename: str) -> Response:
    """One table of the dashboard as `KEY.csv` or `KEY.xlsx`, with the address's filters."""
    require(dashboards.can_view(page.viewer), "dashboards")
    key, _, extension = filename.rpartition(".")
    if extension not in ("csv", "xlsx"):
        raise HTTPException(404)
    try:
        figures = await _figures(page, _chosen(page), only=key)
    except (BadFilter, UnknownFilter) as error:
        raise HTTPException(400, str(error)) from None
    chosen = figures["chosen"]
    table = next((t for t in figures["tables"] if t.key == key), None)
    if table is None:
        raise HTTPException(404)
    if extension == "csv":
        return exports.csv_response(table, page.gettext, chosen)
    return exports.xlsx_response(table, page.gettext, chosen, page.fmt)


@router.get("/table/{key}")
async def full_table(page: PageDep, key: str) -> Response:
    """Every row of one dashboard table (the dashboard shows its first rows and "Other")."""
    require(dashboards.can_view(page.viewer), "dashboards")
    try:
        chosen = _chosen(page)
        figures = await _figures(page, chosen, only=key)
    except (BadFilter, UnknownFilter) as error:
        raise HTTPException(400, str(error)) from None
    table = next((t for t in figures["tables"] if t.key == key), None)
    if table is None:
        raise HTTPException(404)
    return page.render(
        "home/dashboard_table.html",
        section="home",
        table=table,
        chart=chart_data(table, page.fmt, page.gettext),
        chosen=chosen,
        dashboard=figures["dashboard"],
    )


def _chosen(page: Page) -> Chosen:
    return filters.read(page.request.query_params, page.now, page.account.timezone, page.fmt)


def _problem(error: BadFilter | UnknownFilter) -> Problem:
    if isinstance(error, BadFilter):
        return Problem(error.field, error.message)
    return Problem(error.field, N_("Choose one of the listed values."))


_NO_PERIOD_COUNTS = frozenset({"queue", "load", "rota"})
_NO_SPEED = frozenset({*dashboards.DIMENSIONS, "funnel", "pools", "breaches"})
_TEAM_TABLES = frozenset({"rota", "load", "leaderboard"})
_TRENDS = frozenset({"trend_leads", "trend_speed", "trend_contact", "trend_conversion"})


async def _figures(page: Page, chosen: Chosen, *, only: str | None = None) -> dict[str, Any]:
    """Everything the page shows: the filters, the summary and the tables (for the export of
    table `only`, what that table needs; the others come out empty)."""
    configuration = await page.configuration()
    figures = await dashboards.dashboard(
        page.store,
        page.viewer,
        configuration,
        chosen.filters,
        page.now,
        counts=only not in _NO_PERIOD_COUNTS,
        speed=only not in _NO_SPEED,
    )
    names = Names(configuration, page.fmt, page.gettext)
    drill = Drill.of(chosen)
    shown = _tables(page, figures, names, drill, full=only is not None)
    if only in (None, *_TRENDS):
        shown = [*await _trend_tables(page, chosen, drill, figures), *shown]
    if page.viewer.role is Role.TEAM_LEAD and only in (None, *_TEAM_TABLES):
        shown = [*shown, *await _team_tables(page, figures, names, drill)]
    previous = None
    if only is None:
        previous = await trends.previous_total(
            page.store, page.viewer, configuration, chosen.filters, page.now
        )
    return {
        "chosen": chosen,
        "dashboard": figures,
        "tables": shown,
        "headlines": headline.headlines(
            figures.total, previous or figures.total, page.fmt, page.gettext("%(points)s pts")
        ),
        "drill": drill,
        "teams": [t for t in configuration.teams if can_see_team(page.viewer, t.key)],
        "pipelines": dashboards.shown_pipelines(
            page.viewer, configuration, dashboards.Filters(chosen.filters.start, chosen.filters.end)
        ),
        "waiting": sum(w.leads for w in figures.queue),
        "overdue": sum(figures.overdue.values()),
    }


def _tables(
    page: Page, figures: Dashboard, names: Names, drill: Drill, *, full: bool
) -> list[Table]:
    """The period's tables; on the dashboard (not `full`) the mix tables' first rows and
    "Other"."""
    received = figures.total.leads
    other = page.gettext("Other")
    mix = [
        tables.mix_table(d, figures.mix[d], received, names, drill) for d in dashboards.DIMENSIONS
    ]
    return [
        *(mix if full else [tables.top(t, other) for t in mix]),
        tables.speed_by_team(figures, names, drill),
        tables.speed_by_agent(figures, names, drill),
        tables.breaches_table(figures, names, drill),
        tables.funnel_table(figures, page.gettext, drill),
        tables.pools_table(figures, names, drill),
        tables.queue_table(figures, names, page.now, drill),
    ]


async def _trend_tables(
    page: Page, chosen: Chosen, drill: Drill, figures: Dashboard
) -> list[Table]:
    configuration = await page.configuration()
    points = await trends.trend(
        page.store, page.viewer, configuration, chosen.filters, page.now, figures.live
    )
    zone = ZoneInfo(configuration.organisation.timezone)
    return trend_tables(points, drill, zone)


async def _team_tables(page: Page, figures: Dashboard, names: Names, drill: Drill) -> list[Table]:
    """The team lead's own: who is on shift or leave, members' load, the leaderboard."""
    configuration = await page.configuration()
    organisation = await page.state.organisation.get(page.store)
    team = figures.filters.team
    members = await overview.team_members(page.store, page.viewer, configuration, page.now)
    on_rota = [
        agent
        for agent in rota.rota(organisation, page.now)
        if agent.team in page.viewer.team_keys and team in (None, agent.team)
    ]
    return [
        tables.rota_table(on_rota, names, page.gettext),
        tables.load_table([m for m in members if team in (None, m.agent.team)]),
        tables.leaderboard_table(figures, names, drill),
    ]


def _wants_fragment(page: Page) -> bool:
    """HTMX asks for the figures only (not when restoring history)."""
    headers = page.request.headers
    return bool(headers.get("hx-request")) and not headers.get("hx-history-restore-request")
