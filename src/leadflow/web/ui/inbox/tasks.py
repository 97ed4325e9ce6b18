"""Tasks in the inbox: an agent's due and overdue tasks beside their new leads, each shown in
their own time and the patient's, with Done and Cancel; a lead's open tasks and a form to add
one, due at a time in the patient's time zone or one's own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import TaskKind
from leadflow.domain.storable import text_problem
from leadflow.identity import InvalidLead
from leadflow.services.access.scoping import Role
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.work import inbox
from leadflow.services.workflow import activities, tasks
from leadflow.services.workflow.tasks import LocalDue, TaskLine, TaskStatus
from leadflow.web.params import LeadId, TaskId
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import Formatter, zone
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router, safe_next
from leadflow.workflow.zones import AmbiguousTime, NonexistentTime

router = page_router("/inbox")

TITLE_LIMIT = 200
KINDS = tuple(kind.value for kind in TaskKind)
KIND_WORDS = {
    "callback": N_("Callback"),
    "follow_up": N_("Follow-up"),
    "todo": N_("To do"),
}


@dataclass(frozen=True)
class ShownTask:
    """A task with its due time worded in the viewer's zone and in the patient's."""

    line: TaskLine
    overdue: bool
    yours: str
    patients: str
    """Empty when the patient's zone is unknown."""

    @property
    def kind_word(self) -> str:
        """Untranslated: the template translates it."""
        return KIND_WORDS.get(self.line.task.kind, self.line.task.kind)


def shown(page: Page, line: TaskLine) -> ShownTask:
    due, zone = line.task.due_at, line.task.due_zone
    there = Formatter(page.locale, zone).short_datetime(due) if zone else ""
    return ShownTask(line, line.overdue(page.now), page.fmt.short_datetime(due), there)


def _end_of_today(page: Page) -> datetime:
    """Midnight after today, in the viewer's time zone: what is due today is due before it."""
    local = page.now.astimezone(zone(page.account.timezone))
    return datetime.combine(local.date() + timedelta(days=1), time(0), local.tzinfo)


async def due_tasks(page: Page, agent: str) -> list[ShownTask]:
    """The agent's open tasks due today or overdue, overdue first (the inbox's list)."""
    configuration = await page.configuration()
    query = tasks.TaskQuery(due_before=_end_of_today(page), owner=agent, status=TaskStatus.OPEN)
    found = await tasks.tasks(page.store, configuration, page.viewer, query)
    return [shown(page, line) for line in found]


@router.get("/tasks")
async def inbox_tasks(page: PageDep, agent: str | None = None) -> Response:
    """The inbox's tasks again (asked for every minute): one may fall due while it is open."""
    own = page.viewer.agent_key if page.viewer.role is Role.AGENT else None
    if (agent or own) is None:
        raise HTTPException(404)
    watched = inbox.visible_agent(page.viewer, await page.configuration(), agent or own or "")
    shown_from = urlsplit(page.request.headers.get("hx-current-url", ""))
    back = safe_next(shown_from.path + (f"?{shown_from.query}" if shown_from.query else ""))
    return page.render(
        "inbox/tasks.html",
        agent=watched,
        due_tasks=await due_tasks(page, watched.key),
        tasks_back=back,
    )


@dataclass
class TaskForm:
    """What the agent typed to add a task (to show again), and the problems by field."""

    title: str = ""
    kind: str = TaskKind.CALLBACK.value
    day: str = ""
    at: str = ""
    patient_time: bool = True
    problems: dict[str, str] = field(default_factory=dict)
    """Field → untranslated message."""
    zone: str = ""
    """The zone a refused time was read in (for the message)."""

    def read(self, own_zone: str) -> tasks.NewTask | None:
        title = self.title.strip()
        if not title:
            self.problems["title"] = N_("Write what is to be done.")
        elif len(title) > TITLE_LIMIT or text_problem(title):
            self.problems["title"] = N_("Keep the title under 200 characters of plain text.")
        if self.kind not in KINDS:
            self.problems["kind"] = N_("Choose a callback, a follow-up or a to-do.")
        wall = self._wall()
        if self.problems or wall is None:
            return None
        zone = tasks.PATIENT if self.patient_time else own_zone
        return tasks.NewTask(0, title, TaskKind(self.kind), LocalDue(wall, zone))

    def _wall(self) -> datetime | None:
        try:
            return datetime.combine(date.fromisoformat(self.day), time.fromisoformat(self.at))
        except ValueError:
            self.problems["due"] = N_("Choose the day and the time it is due.")
            return None

    def refused(self, error: InvalidLead, zone: str | None) -> None:
        """The service's refusal of the due time, as a problem of the form."""
        self.zone = zone or ""
        cause = error.__cause__
        if isinstance(cause, NonexistentTime):
            self.problems["due"] = N_(
                "This time does not exist in %(zone)s: the clocks skip it that night. "
                "Choose another time."
            )
        elif isinstance(cause, AmbiguousTime):
            self.problems["due"] = N_(
                "This time happens twice in %(zone)s: the clocks go back that night. "
                "Choose another time."
            )
        else:
            self.problems["due"] = N_("The patient's time zone is not known: use your own time.")


@dataclass(frozen=True)
class TaskPanel:
    """The lead page's Tasks panel."""

    lead_id: int
    lines: list[ShownTask]
    form: TaskForm
    patient_zone: str | None
    own_zone: str
    kinds: tuple[tuple[str, str], ...] = tuple(KIND_WORDS.items())


async def task_panel(page: Page, lead_id: int, form: TaskForm | None = None) -> TaskPanel:
    """The lead's open tasks (those the viewer sees) and the form to add one; `UnknownLead`
    for a lead the viewer does not see."""
    configuration = await page.configuration()
    found = await tasks.of_lead(page.store, configuration, page.viewer, lead_id)
    form = form or TaskForm(patient_time=found.patient_zone is not None)
    lines = [shown(page, line) for line in found.lines]
    return TaskPanel(lead_id, lines, form, found.patient_zone, page.account.timezone)


def _panel(page: Page, panel: TaskPanel, *, status: int = 200) -> Response:
    return page.render("inbox/lead_tasks.html", status=status, tasks_panel=panel, fragment=True)


@router.post("/leads/{lead_id}/tasks")
async def add_task(
    page: PageDep,
    lead_id: LeadId,
    title: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = TaskKind.CALLBACK.value,
    day: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    patient_time: Annotated[str, Form()] = "",
) -> Response:
    """Add a task to a lead the viewer sees (404 otherwise), for the lead's owner."""
    configuration = await page.configuration()
    try:
        panel = await task_panel(page, lead_id)
    except UnknownLead as exc:
        raise HTTPException(404) from exc
    form = TaskForm(title, kind, day, at, bool(patient_time))
    new = form.read(page.account.timezone)
    if new is not None:
        new = tasks.NewTask(lead_id, new.title, new.kind, new.due)
        try:
            actor = activities.actor_of(page.viewer)
            await tasks.create(
                page.store, configuration, page.viewer, new, actor=actor, now=page.now
            )
        except InvalidLead as exc:
            form.refused(exc, panel.patient_zone)
    if form.problems:
        return _panel(page, dataclasses.replace(panel, form=form), status=422)
    await page.store.commit()
    return await _after(page, f"/inbox/leads/{lead_id}", page.gettext("Task added."), lead_id)


async def _after(page: Page, target: str, message: str, lead_id: int | None) -> Response:
    """An HTMX request from a lead's panel gets the panel again; a form post goes back."""
    page.flash(message)
    if page.request.headers.get("hx-request") and lead_id is not None:
        return _panel(page, await task_panel(page, lead_id))
    return RedirectResponse(safe_next(target), status_code=303)


async def _close(page: Page, task_id: int, status: TaskStatus, back: str, message: str) -> Response:
    configuration = await page.configuration()
    change = tasks.TaskChange(status=status)
    try:
        line = await tasks.update(
            page.store,
            configuration,
            page.viewer,
            task_id,
            change,
            actor=activities.actor_of(page.viewer),
            now=page.now,
        )
    except tasks.UnknownTask as exc:
        raise HTTPException(404) from exc
    await page.store.commit()
    from_lead = back.startswith("/inbox/leads/")
    return await _after(page, back, message, line.task.lead_id if from_lead else None)


@router.post("/tasks/{task_id}/done")
async def task_done(page: PageDep, task_id: TaskId, next: Annotated[str, Form()] = "/") -> Response:
    return await _close(page, task_id, TaskStatus.DONE, next, page.gettext("Task done."))


@router.post("/tasks/{task_id}/cancel")
async def task_cancelled(
    page: PageDep, task_id: TaskId, next: Annotated[str, Form()] = "/"
) -> Response:
    return await _close(page, task_id, TaskStatus.CANCELLED, next, page.gettext("Task cancelled."))
