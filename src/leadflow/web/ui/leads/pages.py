"""The leads page: every lead the viewer oversees, filtered, searched and sorted, a page at a
time; many reassigned or moved at once; saved views; the list as CSV or Excel. For
administrators, managers (every lead) and team leads (their teams' leads)."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping
from leadflow.services.leads import listing
from leadflow.services.leads import views as saved
from leadflow.services.leads.listing import BadFilter, LeadFilters
from leadflow.services.leads.views import BadView
from leadflow.web.ui.leads import actions, view
from leadflow.web.ui.leads.view import Names
from leadflow.web.ui.shell import spreadsheets
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router
from leadflow.web.ui.shell.vocabulary import LABELS

router = page_router("/leads")
router.include_router(actions.router)

EXPORT_ROWS = 100_000
"""Leads one export holds at most (the file says so when there are more)."""


def _allowed(page: Page) -> None:
    scoping.require(scoping.can_list_leads(page.viewer), "the leads list")


@router.get("")
async def leads_page(page: PageDep) -> Response:
    """The list for the address's filters; an unusable filter shows every lead the viewer
    may see, with a message naming the field (422)."""
    _allowed(page)
    organisation = await page.state.organisation.get(page.store)
    configuration = organisation.configuration
    params = page.request.query_params
    filters, problem = view.read_filters(params), None
    timezone = page.account.timezone
    try:
        found = await listing.page(
            page.store, page.viewer, configuration, filters, timezone=timezone,
            after=params.get("cursor") or None,
        )  # fmt: skip
    except BadFilter as error:
        filters, problem = LeadFilters(), error.field
        found = await listing.page(
            page.store, page.viewer, configuration, filters, timezone=timezone
        )
    names = Names(configuration, page.gettext)
    viewer = page.viewer
    agents = sorted(scoping.visible_agents(viewer, configuration.agents), key=lambda a: a.name)
    query = view.query_of(filters)
    return page.render(
        "leads/page.html",
        status=422 if problem else 200,
        section="leads",
        problem=problem,
        problem_message=view.PROBLEMS.get(problem or "", N_("Choose one of the listed values.")),
        labels=view.LABELS,
        chosen=filters,
        query=query,
        here_query=view.query_of(filters, cursor=params.get("cursor", ""))
        if not problem
        else query,
        lines=view.lines(found.leads, names, page.fmt),
        next_href="/leads?" + view.query_of(filters, cursor=found.next_cursor)
        if found.next_cursor
        else None,
        paged=bool(params.get("cursor")) and not problem,
        sorts=view.sort_links(filters),
        names=names,
        status_choices=[(s, names.coded("routing_status", s)) for s in listing.STATUSES],
        stages=_stages(configuration, names),
        owner_choices=[(listing.UNOWNED, page.gettext("Nobody"))]
        + [(a.key, a.name) for a in agents],
        takers=[a for a in agents if a.status.value != "left"],
        team_choices=[(t.key, t.name) for t in scoping.visible_teams(viewer, configuration.teams)],
        pipeline_choices=[
            (p.key, p.name) for p in scoping.visible_pipelines(viewer, configuration.pipelines)
        ],
        source_choices=[(key, names.coded("source", key)) for key in LABELS["source"]],
        lost_reasons=_lost_reasons(configuration),
        saved_views=await saved.of_user(page.store, page.account.id),
    )


def _stages(configuration: Configuration, names: Names) -> list[tuple[str, str]]:
    keys = dict.fromkeys(s.key for p in configuration.pipelines for s in p.stages)
    return [(key, names.stage(None, key)) for key in keys]


def _lost_reasons(configuration: Configuration) -> list[str]:
    return list(dict.fromkeys(r.key for p in configuration.pipelines for r in p.lost_reasons))


@router.get("/export.{extension}")
async def export(page: PageDep, extension: str) -> Response:
    """Every lead of the list (not only the page's), up to `EXPORT_ROWS`, as `leads_DATE.csv`
    or `.xlsx`; text cells are neutralised (no formula runs)."""
    if extension not in ("csv", "xlsx"):
        raise HTTPException(404)
    _allowed(page)
    configuration = (await page.state.organisation.get(page.store)).configuration
    filters = view.read_filters(page.request.query_params)
    try:
        leads = await listing.every(
            page.store, page.viewer, configuration, filters, timezone=page.account.timezone,
            limit=EXPORT_ROWS,
        )  # fmt: skip
    except BadFilter as error:
        raise HTTPException(422, f"{error.field}: {error.message}") from None
    sheet = view.sheet(leads, Names(configuration, page.gettext), page.gettext)
    name = view.filename(page.now, page.fmt, extension)
    if extension == "csv":
        return spreadsheets.csv_response(sheet, name)
    return spreadsheets.xlsx_response(sheet, name, page.fmt.timezone)


@router.post("/views")
async def save_view(page: PageDep) -> Response:
    """Save the list's filters and sort under a name (the same name: replaced)."""
    _allowed(page)
    form = await page.request.form()
    query = saved.kept_query(str(form.get("query", "")))
    try:
        stored = await saved.save(page.store, page.account.id, str(form.get("name", "")), query)
    except BadView:
        page.flash(page.gettext("Give the view a name of at most 80 characters."), "error")
        return RedirectResponse(f"/leads?{query}", status_code=303)
    await page.store.commit()
    page.flash(page.gettext("View “%(name)s” saved.", name=stored.name))
    return RedirectResponse(f"/leads?{stored.query}", status_code=303)


@router.post("/views/{view_id}/delete")
async def delete_view(page: PageDep, view_id: int) -> Response:
    _allowed(page)
    if not await saved.remove(page.store, page.account.id, view_id):
        raise HTTPException(404)
    await page.store.commit()
    page.flash(page.gettext("View deleted."))
    return RedirectResponse("/leads", status_code=303)
