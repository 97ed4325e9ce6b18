"""Configuration → Teams: name, time zone, holiday calendar, company days, leave policies, leads."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from leadflow.domain.configuration import LeavePolicy, Team
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.web.ui.config.forms import readers
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import Save, base_version_of, save_and_redirect, sent_fields
from leadflow.web.ui.config.screens import Screen, editable_team, team_screen, viewed, visible_team
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/teams")
POLICIES = [p.value for p in LeavePolicy]
TEAM_FIELDS = {
    "name": "name",
    "timezone": "timezone",
    "holidays.countries": "calendar",
    "holidays.subdivisions": "calendar",
    "holidays.company_days": "company_days",
    "on_leave": "on_leave",
    "on_exit": "on_exit",
    "leads": "leads",
}


@router.get("")
async def team_list(page: PageDep) -> Response:
    version, configuration = await viewed(page)
    teams = scoping.visible_teams(page.viewer, configuration.teams)
    members = {t.key: sum(a.team == t.key for a in configuration.agents) for t in teams}
    return page.render(
        "config/teams.html",
        section="teams",
        version=version,
        teams=teams,
        members=members,
        calendars={t.key: _calendar_text(t) for t in teams},
    )


def _calendar_text(team: Team) -> str:
    return readers.shown_calendar(team.holidays.countries, team.holidays.subdivisions)


def _form_of(team: Team) -> dict[str, str]:
    return {
        "name": team.name,
        "timezone": team.timezone or "",
        "calendar": _calendar_text(team),
        "company_days": readers.shown_company_days(team.holidays.company_days),
        "on_leave": team.on_leave.value,
        "on_exit": team.on_exit.value,
        "leads": ", ".join(team.leads),
        "comment": "",
    }


def _screen(page: Page, version: int, team: Team) -> Screen:
    return team_screen(
        page,
        "config/team.html",
        "teams",
        version,
        team,
        leads_editable=scoping.can_edit_team_lead_list(page.viewer),
        policies=POLICIES,
        timezones=timezones(),
        calendar_choices=readers.calendar_choices(),
    )


@router.get("/{key}")
async def team_detail(page: PageDep, key: str) -> Response:
    version, _, team = await visible_team(page, key)
    return _screen(page, version, team).show(_form_of(team))


def read_team(form: dict[str, str], leads_editable: bool) -> tuple[dict[str, Any], FieldProblems]:
    """The team's fields for the document, and the problems found."""
    problems = FieldProblems()
    values: dict[str, Any] = {"name": form["name"].strip()}
    if not values["name"]:
        problems.add("name", N_("Enter the team's name."))
    if form["timezone"] and form["timezone"] not in timezones():
        problems.add("timezone", N_("Choose a time zone from the list."))
    values["timezone"] = form["timezone"] or None
    try:
        countries, subdivisions = readers.calendar_codes(form["calendar"])
    except ValueError as exc:
        problems.add("calendar", N_("%(code)s is not a known holiday calendar."), code=str(exc))
        countries, subdivisions = [], {}
    days = readers.company_days(problems, "company_days", form["company_days"])
    values["holidays"] = {
        "countries": countries,
        "subdivisions": subdivisions,
        "company_days": days,
    }
    values["on_leave"] = readers.read_choice(problems, "on_leave", form["on_leave"], POLICIES)
    values["on_exit"] = readers.read_choice(problems, "on_exit", form["on_exit"], POLICIES)
    if leads_editable:
        values["leads"] = readers.words(form["leads"])
    return values, problems


@router.post("/{key}")
async def team_save(page: PageDep, key: str) -> Response:
    version, configuration, team = await editable_team(page, key)
    form = await sent_fields(page, dict.fromkeys([*_form_of(team), "base_version"], ""))
    if not scoping.can_edit_team_lead_list(page.viewer):
        form["leads"] = _form_of(team)["leads"]
    values, problems = read_team(form, scoping.can_edit_team_lead_list(page.viewer))
    rerender = _screen(page, version, team).rerender(form, lambda: _form_of(team))
    index = next(i for i, t in enumerate(configuration.teams) if t.key == key)
    save = Save(
        config_edits.update("teams", key, values),
        scoping.can_edit_team(page.viewer, key),
        f"team {key}",
        base_version_of(form),
        form["comment"],
        f"team {key}",
        prefix=f"teams[{index}]",
        fields=TEAM_FIELDS,
    )
    redirect = f"/config/teams/{key}"
    return await save_and_redirect(page, configuration, save, redirect, rerender, problems)
