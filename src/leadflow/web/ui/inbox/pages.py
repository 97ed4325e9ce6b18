"""The agent's inbox: open leads with their first-contact countdown, new ones arriving live, and
one lead's file: the contact's whole timeline, its stage control (which asks in place for what a
stage requires) and the form that logs calls, messages, e-mails, notes and CSAT answers.

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
from leadflow.identity import InvalidLead
from leadflow.services.access import scoping, trace_scope
from leadflow.services.access.scoping import Role
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.reporting import overview
from leadflow.services.work import inbox
from leadflow.services.workflow.activities import ActivityKind
from leadflow.services.workflow.stages import MoveRefused
from leadflow.web.params import LeadId
from leadflow.web.ui.inbox import tasks as task_pages
from leadflow.web.ui.inbox.forms import (
    CHANNELS,
    DIRECTIONS,
    KINDS,
    NOTE_TYPES,
    OUTCOMES,
    SCORES,
    ActivityForm,
    term_key,
)
from leadflow.web.ui.inbox.stage_form import StageForm, prompt_field
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import clock, zone
from leadflow.web.ui.shell.routers import page_router

router = page_router("/inbox")

REFRESH_SECONDS = 60
"""How often an open inbox reloads its rows; new leads arrive live in between."""


def countdown(seconds: int | None) -> str:
    """`9:05` or `1:02:03`: the same figures the browser shows as it counts down."""
    return "" if seconds is None else clock(seconds)


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
    stage_form: StageForm | None = None,
    status: int = 200,
) -> Response:
    with _missing_is_404():
        found = await inbox.lead_file(page.store, organisation, page.viewer, lead_id, page.now)
    configuration = organisation.configuration
    stage_form = stage_form or StageForm()
    template = "inbox/lead_work.html" if _is_htmx(page) else "inbox/lead.html"
    return page.render(
        template,
        status=status,
        section="inbox" if page.viewer.role is not Role.AGENT else "home",
        file=found,
        lead=found.lead,
        pipeline=found.pipeline,
        agent_names={a.key: a.name for a in configuration.agents} | _unnamed(page),
        automation_names={a.key: a.name or a.key for a in configuration.automations},
        field_names={f.key: f.label for f in configuration.fields},
        stage_names={s.key: s.name for p in configuration.pipelines for s in p.stages if s.name},
        reason_names={
            r.key: r.name for p in configuration.pipelines for r in p.lost_reasons if r.name
        },
        unnamed=_unnamed(page),
        form=form or ActivityForm(),
        stage_form=stage_form,
        prompt=[prompt_field(configuration, name) for name in stage_form.asked],
        kinds=[k.value for k in KINDS],
        outcomes=OUTCOMES,
        directions=DIRECTIONS,
        channels=CHANNELS,
        note_types=NOTE_TYPES,
        scores=SCORES,
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


async def _saved(page: Page, organisation: Organisation, lead_id: int, message: str) -> Response:
    """After a change: the page again (HTMX swaps its work column), or a redirect to it."""
    if _is_htmx(page):
        page.flash(message)
        return await _lead_page(page, organisation, lead_id)
    return _done(page, lead_id, message)


@router.post("/leads/{lead_id}/activities")
async def log_activity(
    page: PageDep,
    lead_id: LeadId,
    kind: Annotated[str, Form()] = ActivityKind.CALL.value,
    direction: Annotated[str, Form()] = "outbound",
    outcome: Annotated[str, Form()] = "",
    started: Annotated[str, Form()] = "",
    wait: Annotated[str, Form()] = "",
    talk: Annotated[str, Form()] = "",
    hold: Annotated[str, Form()] = "",
    wrap: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    note_type: Annotated[str, Form(alias="type")] = "",
    text: Annotated[str, Form()] = "",
    score: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    rates: Annotated[str, Form()] = "",
) -> Response:
    organisation = await page.state.organisation.get(page.store)
    form = ActivityForm(
        kind=kind, direction=direction, outcome=outcome, started=started, wait=wait, talk=talk,
        hold=hold, wrap=wrap, channel=channel, type=note_type, text=text, score=score,
        comment=comment, rates=rates,
    )  # fmt: skip
    activity = form.read(zone(page.account.timezone))
    if activity is not None:
        try:
            with _missing_is_404():
                async with page.store.savepoint():
                    first = await inbox.log_activity(
                        page.store, organisation, page.viewer, lead_id, activity, now=page.now
                    )
        except InvalidLead as refused:
            form.refused(refused)
    if activity is None or form.problems:
        return await _lead_page(page, organisation, lead_id, form=form, status=422)
    await page.store.commit()
    message = (
        page.gettext("Saved. This was the first contact: the SLA clock has stopped.")
        if first
        else page.gettext("Saved.")
    )
    return await _saved(page, organisation, lead_id, message)


@router.post("/leads/{lead_id}/stage")
async def change_stage(page: PageDep, lead_id: LeadId) -> Response:
    """Move the lead; refused for missing fields or a missing lost reason, the page asks for
    them in place and the agent posts the stage again with them."""
    organisation = await page.state.organisation.get(page.store)
    form = StageForm.posted(await page.request.form())
    try:
        with _missing_is_404():
            async with page.store.savepoint():  # a refused move leaves no field set
                await inbox.change_stage(
                    page.store,
                    organisation,
                    page.viewer,
                    lead_id,
                    form.stage,
                    lost_reason=form.lost_reason or None,
                    fields=form.values,
                    now=page.now,
                )
    except MoveRefused as refused:
        form.refused(refused)
    except InvalidLead as invalid:
        form.invalid(invalid)
    if form.prompting or form.problems:
        return await _lead_page(page, organisation, lead_id, stage_form=form, status=422)
    await page.store.commit()
    return await _saved(page, organisation, lead_id, page.gettext("Stage saved."))
