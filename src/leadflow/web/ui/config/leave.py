"""Configuration → Leave: one team's leave by week (add and remove ranges, with type and partial
days) and the coming holidays of the team's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, HTTPException
from fastapi.responses import Response

from leadflow.calendar.holidays import Holiday, HolidayBook
from leadflow.domain.configuration import Agent, Configuration, Leave, LeaveType, Team
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.web.params import INTEGER_MAX
from leadflow.web.ui.config import screens
from leadflow.web.ui.config.forms import readers
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import base_version_of, sent_fields
from leadflow.web.ui.config.screens import Screen
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/leave")
TYPES = [t.value for t in LeaveType]
HOLIDAY_HORIZON = timedelta(days=365)


@dataclass(frozen=True)
class LeaveRow:
    agent: Agent
    index: int
    """Position in the agent's leave list (what a removal names)."""
    leave: Leave


@router.get("")
async def leave_index(page: PageDep) -> Response:
    return await screens.first_team(page, "leave")


def _today(page: Page, team: Team) -> date:
    return page.now.astimezone(ZoneInfo(team.timezone or page.account.timezone)).date()


def leave_by_week(agents: list[Agent], today: date) -> list[tuple[date, list[LeaveRow]]]:
    """Leave that has not ended yet, grouped by the Monday of the week it starts in (past
    starts count from this week)."""
    rows = [
        LeaveRow(agent, index, leave)
        for agent in agents
        if agent.schedule is not None
        for index, leave in enumerate(agent.schedule.leave)
        if leave.end >= today
    ]
    weeks: dict[date, list[LeaveRow]] = {}
    this_monday = today - timedelta(days=today.weekday())
    for row in sorted(rows, key=lambda r: (r.leave.start, r.agent.name)):
        monday = max(row.leave.start - timedelta(days=row.leave.start.weekday()), this_monday)
        weeks.setdefault(monday, []).append(row)
    return sorted(weeks.items())


def coming_holidays(team: Team, today: date) -> list[Holiday]:
    book = HolidayBook(team.holidays)
    days = (today + timedelta(days=n) for n in range(HOLIDAY_HORIZON.days))
    return [holiday for day in days if (holiday := book.holiday_on(day)) is not None]


def _calendar(page: Page, version: int, configuration: Configuration, team: Team) -> Screen:
    agents = screens.scheduled_agents(configuration, team.key)
    today = _today(page, team)
    return screens.team_screen(
        page,
        "config/leave.html",
        "leave",
        version,
        team,
        teams=scoping.visible_teams(page.viewer, configuration.teams),
        agents=agents,
        weeks=leave_by_week(agents, today),
        holidays=coming_holidays(team, today),
        calendar=readers.shown_calendar(team.holidays.countries, team.holidays.subdivisions),
        types=TYPES,
    )


def _blank_form() -> dict[str, str]:
    return dict.fromkeys(("agent", "start", "end", "hours", "note", "comment"), "") | {
        "type": "annual"
    }


@router.get("/{team_key}")
async def leave_calendar(page: PageDep, team_key: str) -> Response:
    version, configuration, team = await screens.visible_team(page, team_key)
    return _calendar(page, version, configuration, team).show(_blank_form())


def read_leave(
    form: dict[str, str], agents: list[str], fmt: Formatter | None = None
) -> tuple[dict[str, Any], FieldProblems]:
    """The leave the form describes; its dates typed in `fmt`'s locale order or YYYY-MM-DD."""
    problems = FieldProblems()
    readers.read_choice(problems, "agent", form["agent"], agents)
    start = readers.read_date(problems, "start", form["start"], fmt)
    end = readers.read_date(problems, "end", form["end"] or form["start"], fmt)
    if start and end and end < start:
        problems.add("end", N_("The leave cannot end before it starts."))
    leave = {
        "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "",
        "type": readers.read_choice(problems, "type", form["type"], TYPES),
        "intervals": readers.read_intervals(problems, "hours", form["hours"]),
        "note": form["note"].strip(),
    }
    return leave, problems


@router.post("/{team_key}/add")
async def leave_add(page: PageDep, team_key: str) -> Response:
    version, configuration, team = await screens.editable_team(page, team_key)
    form = await sent_fields(page, _blank_form() | {"base_version": ""})
    agent = form["agent"]
    keys = [a.key for a in screens.scheduled_agents(configuration, team_key)]
    leave, problems = read_leave(form, keys, page.fmt)
    rerender = _calendar(page, version, configuration, team).rerender(form, _blank_form)
    return await screens.save_team_edit(
        page,
        configuration,
        "leave",
        team_key,
        config_edits.add_leave(agent, leave),
        base_version=base_version_of(form),
        comment=form["comment"],
        note=f"leave of {agent}: {leave['start']} to {leave['end']} ({leave['type']})",
        rerender=rerender,
        problems=problems,
    )


@router.post("/{team_key}/remove")
async def leave_remove(
    page: PageDep,
    team_key: str,
    base_version: Annotated[int, Form(ge=0, le=INTEGER_MAX)],
    agent: Annotated[str, Form()],
    index: Annotated[int, Form()],
) -> Response:
    version, configuration, team = await screens.editable_team(page, team_key)
    owner = next(
        (a for a in screens.scheduled_agents(configuration, team_key) if a.key == agent), None
    )
    if owner is None or owner.schedule is None or not 0 <= index < len(owner.schedule.leave):
        raise HTTPException(404)
    removed = owner.schedule.leave[index]
    rerender = _calendar(page, version, configuration, team).rerender(_blank_form(), _blank_form)
    return await screens.save_team_edit(
        page,
        configuration,
        "leave",
        team_key,
        config_edits.remove_leave(agent, index),
        base_version=base_version,
        comment="",
        note=f"leave of {agent} removed: {removed.start} to {removed.end}",
        rerender=rerender,
    )
