"""The agent's inbox: open leads with their first-contact countdown, new ones arriving live, and
one lead's file where calls, messages and stage changes are recorded.

Agents open their own inbox (it is also their home page); team leads, managers and admins open
`/inbox?agent=KEY` for an agent they may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import Agent, Configuration
from leadflow.services.access import scoping, trace_scope
from leadflow.services.access.scoping import Role
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.reporting import overview
from leadflow.services.work import inbox
from leadflow.services.workflow.activities import ActivityKind
from leadflow.web.params import LeadId
from leadflow.web.ui.inbox import tasks as task_pages
from leadflow.web.ui.inbox.forms import DIRECTIONS, OUTCOMES, ActivityForm, term_key
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.routers import page_router

router = page_router("/inbox")

REFRESH_SECONDS = 60
"""How often an open inbox reloads its rows; new leads arrive live in between."""


def countdown(seconds: int | None) -> str:
    """`9:05` or `1:02:03`: the same figures the browser shows as it counts down."""
    if seconds is None:
        return ""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _is_htmx(page: Page) -> bool:
    return bool(page.request.headers.get("hx-request"))


@contextmanager
def _missing_is_404() -> Iterator[None]:
    """A lead that does not exist, or that the viewer may not see, is a missing page."""
    try:
        yield
    except UnknownLead as exc:
        raise HTTPException(404) from exc


def _words(page: Page) -> dict[str, Any]:
    """What every inbox template uses to word codes and clocks."""
    return {
        "term": lambda kind, value: page.gettext(term_key(kind, value)) if value else "",
        "countdown": countdown,
        "now": page.now,
    }


def _unnamed(page: Page) -> dict[str, str]:
    """The words a decision trace uses for what the viewer may not see by name."""
    return {
        trace_scope.ANOTHER_AGENT: page.gettext("another agent"),
        trace_scope.ANOTHER_PIPELINE: page.gettext("another pipeline"),
        trace_scope.ANOTHER_RULE: page.gettext("another rule"),
    }


def _watched(page: Page, configuration: Configuration, key: str | None) -> Agent | None:
    """Whose inbox: an agent's own (always); anyone else's the viewer may see, by `key`."""
    if key is None and page.viewer.role is Role.AGENT:
        key = page.viewer.agent_key
    if key is None:
        return None
    return inbox.visible_agent(page.viewer, configuration, key)


@router.get("")
async def inbox_list(page: PageDep, agent: str | None = None) -> Response:
    return await inbox_page(page, agent)


async def inbox_page(page: Page, key: str | None, *, section: str = "inbox") -> Response:
    """The inbox of agent `key` (the viewer's own when they are an agent)."""
    organisation = await page.state.organisation.get(page.store)
    configuration = organisation.configuration
    watched = _watched(page, configuration, key)
    own = watched is not None and watched.key == page.viewer.agent_key
    if watched is None:
        return page.render(
            "inbox/inbox.html",
            section=section,
            agent=None,
            own=page.viewer.role is Role.AGENT,
            choices=sorted(
                scoping.visible_agents(page.viewer, configuration.agents), key=lambda a: a.name
            ),
            **_words(page),
        )
    loads = await overview.loads(page.store, [watched.key], page.now)
    return page.render(
        "inbox/inbox.html",
        section=section,
        agent=watched,
        own=own,
        load=loads[watched.key],
        lines=await inbox.open_leads(page.store, organisation, watched.key, page.now),
        due_tasks=await task_pages.due_tasks(page, watched.key),
        choices=[],
        refresh_seconds=REFRESH_SECONDS,
        **_words(page),
    )


@router.get("/rows")
async def inbox_rows(page: PageDep, agent: str | None = None) -> Response:
    """The inbox's rows again, with fresh clocks (asked for every minute)."""
    organisation = await page.state.organisation.get(page.store)
    watched = _watched(page, organisation.configuration, agent)
    if watched is None:
        raise HTTPException(404)
    lines = await inbox.open_leads(page.store, organisation, watched.key, page.now)
    return page.render("inbox/rows.html", lines=lines, **_words(page))


@router.get("/rows/{lead_id}")
async def inbox_row(page: PageDep, lead_id: LeadId, agent: str | None = None) -> Response:
    """One row for a lead that has just arrived (the page asks on a live `lead.assigned`)."""
    organisation = await page.state.organisation.get(page.store)
    watched = _watched(page, organisation.configuration, agent)
    with _missing_is_404():
        line = await inbox.inbox_line(page.store, organisation, page.viewer, lead_id, page.now)
    if watched is None or line.lead.owner != watched.key:
        raise HTTPException(404)
    return page.render("inbox/row.html", line=line, **_words(page))


async def _lead_page(
    page: Page,
    organisation: Organisation,
    lead_id: int,
    *,
    form: ActivityForm | None = None,
    stage_problem: str = "",
    status: int = 200,
) -> Response:
    with _missing_is_404():
        found = await inbox.lead_file(page.store, organisation, page.viewer, lead_id, page.now)
    configuration = organisation.configuration
    pipeline = next((p for p in configuration.pipelines if p.key == found.lead.pipeline_key), None)
    template = "inbox/lead_work.html" if _is_htmx(page) else "inbox/lead.html"
    return page.render(
        template,
        status=status,
        section="inbox" if page.viewer.role is not Role.AGENT else "home",
        file=found,
        lead=found.lead,
        pipeline=pipeline,
        agent_names={a.key: a.name for a in configuration.agents} | _unnamed(page),
        unnamed=_unnamed(page),
        form=form or ActivityForm(),
        stage_problem=stage_problem,
        kinds=[k.value for k in inbox.NOTE_KINDS],
        outcomes=OUTCOMES,
        directions=DIRECTIONS,
        fragment=_is_htmx(page),
        tasks_panel=await task_pages.task_panel(page, lead_id),
        **_words(page),
    )


@router.get("/leads/{lead_id}")
async def lead_detail(page: PageDep, lead_id: LeadId) -> Response:
    organisation = await page.state.organisation.get(page.store)
    return await _lead_page(page, organisation, lead_id)


def _done(page: Page, lead_id: int, message: str) -> Response:
    page.flash(message)
    return RedirectResponse(f"/inbox/leads/{lead_id}", status_code=303)


@router.post("/leads/{lead_id}/activities")
async def log_activity(
    page: PageDep,
    lead_id: LeadId,
    kind: Annotated[str, Form()] = ActivityKind.CALL.value,
    outcome: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "outbound",
    minutes: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    organisation = await page.state.organisation.get(page.store)
    form = ActivityForm(kind, outcome, direction, minutes, note)
    activity = form.read()
    if activity is None:
        return await _lead_page(page, organisation, lead_id, form=form, status=422)
    with _missing_is_404():
        first = await inbox.log_activity(
            page.store, organisation, page.viewer, lead_id, activity, now=page.now
        )
    await page.store.commit()
    message = (
        page.gettext("Saved. This was the first contact: the SLA clock has stopped.")
        if first
        else page.gettext("Saved.")
    )
    if _is_htmx(page):
        page.flash(message)
        return await _lead_page(page, organisation, lead_id)
    return _done(page, lead_id, message)


@router.post("/leads/{lead_id}/stage")
async def change_stage(
    page: PageDep, lead_id: LeadId, stage: Annotated[str, Form()] = ""
) -> Response:
    organisation = await page.state.organisation.get(page.store)
    try:
        with _missing_is_404():
            await inbox.change_stage(
                page.store, organisation, page.viewer, lead_id, stage, now=page.now
            )
    except inbox.UnknownStage:
        problem = page.gettext("Choose one of this pipeline's stages.")
        return await _lead_page(page, organisation, lead_id, stage_problem=problem, status=422)
    await page.store.commit()
    message = page.gettext("Stage saved.")
    if _is_htmx(page):
        page.flash(message)
        return await _lead_page(page, organisation, lead_id)
    return _done(page, lead_id, message)
