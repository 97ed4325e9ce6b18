"""Configuration → Shifts: one team's weekly planner (agents × weekdays, in each agent's time
zone) with date overrides; one save is one configuration version."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.responses import Response

from leadflow.domain.configuration import WEEKDAYS, Agent, Configuration, Team
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.web.ui.config import screens
from leadflow.web.ui.config.forms import readers
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import base_version_of
from leadflow.web.ui.config.screens import Screen
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/shifts")


@router.get("")
async def shift_index(page: PageDep) -> Response:
    return await screens.first_team(page, "shifts")


def _form_of(agents: list[Agent]) -> dict[str, str]:
    form = {"comment": ""}
    for agent in agents:
        assert agent.schedule is not None
        for day in WEEKDAYS:
            intervals = getattr(agent.schedule.weekly, day)
            form[f"shift.{agent.key}.{day}"] = readers.shown_intervals(intervals)
        form[f"overrides.{agent.key}"] = "\n".join(
            f"{o.date.isoformat()}: {readers.shown_intervals(o.intervals) or 'off'}"
            + (f" | {o.reason}" if o.reason else "")
            for o in agent.schedule.overrides
        )
    return form


def _planner(page: Page, version: int, configuration: Configuration, team: Team) -> Screen:
    return screens.team_screen(
        page,
        "config/shifts.html",
        "shifts",
        version,
        team,
        teams=scoping.visible_teams(page.viewer, configuration.teams),
        agents=screens.scheduled_agents(configuration, team.key),
        weekdays=WEEKDAYS,
    )


@router.get("/{team_key}")
async def shift_planner(page: PageDep, team_key: str) -> Response:
    version, configuration, team = await screens.visible_team(page, team_key)
    form = _form_of(screens.scheduled_agents(configuration, team_key))
    return _planner(page, version, configuration, team).show(form)


def read_overrides(problems: FieldProblems, field: str, text: str) -> list[dict[str, Any]]:
    """One date a line: "2026-12-24: 09:00-13:00 | reason" or "2026-12-31: off"."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, reason = line.partition("|")
        day_text, _, hours = head.partition(":")
        try:
            day = date.fromisoformat(day_text.strip())
            intervals = readers.intervals(hours)
        except ValueError:
            problems.add(
                field,
                N_("Line %(line)s: write 2026-12-24: 09:00-13:00 or 2026-12-31: off."),
                line=number,
            )
            continue
        found.append({"date": day.isoformat(), "intervals": intervals, "reason": reason.strip()})
    return found


def read_planner(
    form: dict[str, str], agents: list[Agent]
) -> tuple[dict[str, dict[str, Any]], FieldProblems]:
    """Each agent's weekly pattern and overrides, by agent key, and the problems found."""
    problems = FieldProblems()
    plans = {}
    for agent in agents:
        weekly = {
            day: readers.read_intervals(
                problems, f"shift.{agent.key}.{day}", form.get(f"shift.{agent.key}.{day}", "")
            )
            for day in WEEKDAYS
        }
        overrides = read_overrides(
            problems, f"overrides.{agent.key}", form.get(f"overrides.{agent.key}", "")
        )
        plans[agent.key] = {"weekly": weekly, "overrides": overrides}
    return plans, problems


@router.post("/{team_key}")
async def shift_save(page: PageDep, team_key: str) -> Response:
    version, configuration, team = await screens.editable_team(page, team_key)
    sent = await page.request.form()
    form = {name: str(value) for name, value in sent.items()}
    form.setdefault("comment", "")
    agents = screens.scheduled_agents(configuration, team_key)
    plans, problems = read_planner(form, agents)
    rerender = _planner(page, version, configuration, team).rerender(form, lambda: _form_of(agents))
    return await screens.save_team_edit(
        page,
        configuration,
        "shifts",
        team_key,
        config_edits.plan_shifts(plans),
        base_version=base_version_of(form),
        comment=form["comment"],
        note=f"shifts of team {team_key}",
        rerender=rerender,
        problems=problems,
    )
