"""What the configuration screens share: finding the team a screen is about, and showing a screen
with its form, its problems and its notices. Each screen module says only what differs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from fastapi import HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import Agent, Configuration, Team
from leadflow.services.access import scoping
from leadflow.services.configuration.config_edits import Edit
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import Rerender, Save, save_and_redirect
from leadflow.web.ui.config.terms import TERMS
from leadflow.web.ui.shell.context import Page


@dataclass(frozen=True)
class Screen:
    """A configuration screen as one request shows it: its template and section, whether the
    viewer may edit it, and what it shows besides the form."""

    page: Page
    template: str
    section: str
    version: int
    editable: bool
    context: Mapping[str, Any] = field(default_factory=dict)
    beside_form: Callable[[Any], Mapping[str, Any]] = lambda form: {}
    """What the screen shows that depends on the form shown (e.g. whom a list offers)."""

    def show(
        self,
        form: Any,
        *,
        status: int = 200,
        problems: Mapping[str, str] | None = None,
        stale: bool = False,
        **extra: Any,
    ) -> Response:
        return self.page.render(
            self.template,
            status=status,
            section=self.section,
            version=self.version,
            form=form,
            problems=problems or {},
            stale=stale,
            editable=self.editable,
            terms=TERMS,
            **self.context,
            **self.beside_form(form),
            **extra,
        )

    def rerender(self, sent: Any, saved: Callable[[], Any]) -> Rerender:
        """Shows the form again after a refused save: as sent, with its problems; or, when
        someone saved meanwhile, as saved now (re-sending the old form would undo their change)."""

        def again(status: int, problems: dict[str, str], stale: bool) -> Response:
            shown = saved() if stale else sent
            return self.show(shown, status=status, problems=problems, stale=stale)

        return again


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=Keyed)


def find(entries: Iterable[K], key: str) -> K:
    """The team, pipeline, rule or agent `key` of a list (404 when there is none)."""
    found = next((entry for entry in entries if entry.key == key), None)
    if found is None:
        raise HTTPException(404)
    return found


async def viewed(page: Page) -> tuple[int, Configuration]:
    """The active configuration and its version, if the viewer may see the configuration."""
    scoping.require(scoping.can_view_configuration(page.viewer), "configuration")
    return await page.versioned_configuration()


async def visible_team(page: Page, key: str) -> tuple[int, Configuration, Team]:
    """The team `key` if the viewer may see it (404 when it does not exist, else 403)."""
    version, configuration = await viewed(page)
    team = find(configuration.teams, key)
    scoping.require(scoping.can_see_team(page.viewer, key), f"team {key}")
    return version, configuration, team


async def editable_team(page: Page, key: str) -> tuple[int, Configuration, Team]:
    """The team `key` if the viewer may change it (404, else 403)."""
    version, configuration, team = await visible_team(page, key)
    scoping.require(scoping.can_edit_team(page.viewer, key), f"team {key}")
    return version, configuration, team


async def first_team(page: Page, section: str) -> Response:
    """/config/shifts and /config/leave open the first team the viewer sees."""
    _, configuration = await viewed(page)
    teams = scoping.visible_teams(page.viewer, configuration.teams)
    scheduled = [
        t for t in teams if any(a.team == t.key and a.schedule for a in configuration.agents)
    ]
    chosen = (scheduled or teams)[0].key if teams else None
    return RedirectResponse(f"/config/{section}/{chosen}" if chosen else "/", status_code=303)


def scheduled_agents(configuration: Configuration, team: str) -> list[Agent]:
    """The team's agents that work shifts (bots and on-call numbers are always available)."""
    return [a for a in configuration.agents if a.team == team and a.schedule is not None]


def team_screen(
    page: Page, template: str, section: str, version: int, team: Team, **context: Any
) -> Screen:
    """A screen about one team (its settings, shifts or leave), editable by whoever may change
    the team."""
    editable = scoping.can_edit_team(page.viewer, team.key)
    return Screen(page, template, section, version, editable, {"team": team, **context})


async def save_team_edit(
    page: Page,
    configuration: Configuration,
    section: str,
    team: str,
    edit: Edit,
    *,
    base_version: int,
    comment: str,
    note: str,
    rerender: Rerender,
    problems: FieldProblems | None = None,
) -> Response:
    """Save an edit made on one team's screen of `section` (shifts, leave) and come back to it."""
    allowed = scoping.can_edit_team(page.viewer, team)
    save = Save(edit, allowed, f"team {team}", base_version, comment, note)
    redirect = f"/config/{section}/{team}"
    return await save_and_redirect(page, configuration, save, redirect, rerender, problems)
