"""The data-quality page: open leads missing fields their stage requires, the totals per team
and agent, and the list as CSV or Excel. Everyone sees the leads they may see: an agent their
own, a team lead their teams', managers and administrators every lead."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import Response

from leadflow.services.access import scoping
from leadflow.services.access.scoping import Role
from leadflow.services.workflow import quality
from leadflow.services.workflow.quality import Filters, UnknownFilter
from leadflow.web.ui.quality import view
from leadflow.web.ui.quality.view import Names
from leadflow.web.ui.shell import spreadsheets
from leadflow.web.ui.shell.context import PageDep
from leadflow.web.ui.shell.formatting import zone
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/data-quality")


@router.get("")
async def data_quality(page: PageDep) -> Response:
    """The view for the address's filters; an unusable filter shows every gap the viewer may
    see, with a message naming the field (422)."""
    organisation = await page.state.organisation.get(page.store)
    filters, problem = view.read_filters(page.request.query_params), None
    try:
        report = await quality.gaps(page.store, page.viewer, organisation, filters)
    except UnknownFilter as error:
        filters, problem = Filters(), error.field
        report = await quality.gaps(page.store, page.viewer, organisation, filters)
    configuration = organisation.configuration
    names = Names(configuration, page.gettext)
    viewer = page.viewer
    return page.render(
        "quality/page.html",
        status=422 if problem else 200,
        section="quality",
        problem=problem,
        problem_message=N_("Choose one of the listed values."),
        labels=view.LABELS,
        chosen=filters,
        query=view.query_of(filters),
        report=report,
        lines=view.lines(report, names, page.fmt, page.now),
        listed=quality.LISTED,
        team_chart=view.chart(report.teams, lambda t: names.team(t.team), page.gettext, page.fmt),
        agent_chart=view.chart(report.agents, names.agent_of, page.gettext, page.fmt),
        names=names,
        teams=scoping.visible_teams(viewer, configuration.teams),
        agents=sorted(scoping.visible_agents(viewer, configuration.agents), key=lambda a: a.name),
        pipelines=scoping.visible_pipelines(viewer, configuration.pipelines),
        stages=view.stage_choices(configuration, names),
        fields=view.field_choices(configuration, names),
        is_agent=viewer.role is Role.AGENT,
        now=page.now,
    )


@router.get("/export.{extension}")
async def export(page: PageDep, extension: str) -> Response:
    """Every listed lead (not only the page's first ones) as `data_quality.csv` or `.xlsx`."""
    if extension not in ("csv", "xlsx"):
        raise HTTPException(404)
    organisation = await page.state.organisation.get(page.store)
    filters = view.read_filters(page.request.query_params)
    try:
        report = await quality.gaps(page.store, page.viewer, organisation, filters, limit=None)
    except UnknownFilter as error:
        raise HTTPException(400, str(error)) from None
    names = Names(organisation.configuration, page.gettext)
    sheet = view.sheet(report, names, page.now, page.gettext)
    filename = (
        f"data_quality_{page.now.astimezone(zone(page.account.timezone)):%Y-%m-%d}.{extension}"
    )
    if extension == "csv":
        return spreadsheets.csv_response(sheet, filename)
    return spreadsheets.xlsx_response(sheet, filename, page.fmt.timezone)
