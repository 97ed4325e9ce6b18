"""Configuration → Agents: the list, and the form that saves a new configuration version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import Agent, AgentStatus, Configuration, Tier
from leadflow.services.access import scoping
from leadflow.services.configuration import agent_settings, new_agent
from leadflow.services.configuration.agent_settings import StaleVersion
from leadflow.services.configuration.versions import ConfigurationError
from leadflow.services.reporting import overview
from leadflow.services.work import over_cap
from leadflow.web.params import INTEGER_MAX
from leadflow.web.ui.config.forms.agent_form import CAPS, AgentForm, NewAgentForm
from leadflow.web.ui.config.screens import Screen, find, viewed
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router
from leadflow.web.ui.shell.vocabulary import LABELS

router = page_router("/config/agents")


@router.get("")
async def agent_list(page: PageDep, team: str | None = None) -> Response:
    version, configuration = await viewed(page)
    teams = scoping.visible_teams(page.viewer, configuration.teams)
    agents = scoping.visible_agents(page.viewer, configuration.agents)
    if team:
        agents = [agent for agent in agents if agent.team == team]
    loads = await overview.loads(page.store, [agent.key for agent in agents], page.now)
    return page.render(
        "config/agents.html",
        section="agents",
        version=version,
        teams=teams,
        team_names={t.key: t.name for t in configuration.teams},
        chosen_team=team or "",
        agents=sorted(agents, key=lambda a: (a.team, a.name)),
        loads=loads,
        over_cap=await over_cap.over_cap(page.store, agents, loads),
        editable={a.key for a in agents if scoping.can_edit_agent(page.viewer, a)},
        can_add=any(scoping.can_edit_team(page.viewer, t.key) for t in configuration.teams),
    )


def _known_skills(configuration: Configuration) -> list[str]:
    known = dict.fromkeys(LABELS["treatment"])
    for agent in configuration.agents:
        known.update(dict.fromkeys(agent.skills))
    return list(known)


def _screen(page: Page, configuration: Configuration, version: int, agent: Agent) -> Screen:
    shown = {
        "agent": agent,
        "team_name": configuration.team(agent.team).name,
        "skills": _known_skills(configuration),
        "tiers": [t.value for t in Tier],
        "statuses": [s.value for s in AgentStatus],
        "caps": CAPS,
        "timezones": timezones(),
    }
    editable = scoping.can_edit_agent(page.viewer, agent)
    return Screen(page, "config/agent.html", "agents", version, editable, shown)


def _new_screen(page: Page, configuration: Configuration, version: int) -> Screen:
    teams = [t for t in configuration.teams if scoping.can_edit_team(page.viewer, t.key)]
    pools = set(new_agent.pools_for(page.viewer, configuration))
    shown = {
        "teams": teams,
        "pipelines": [p for p in configuration.pipelines if p.key in pools],
        "skills": _known_skills(configuration),
        "tiers": [t.value for t in Tier],
        "statuses": [s.value for s in AgentStatus],
        "caps": CAPS,
        "timezones": timezones(),
    }
    return Screen(page, "config/agent_new.html", "agents", version, bool(teams), shown)


def _show_new(page: Page, screen: Screen, form: NewAgentForm, **how: Any) -> Response:
    problems = {name: page.gettext(message) for name, message in form.problems.items()}
    return screen.show(form, problems=problems, **how)


@router.get("/new")
async def agent_new(page: PageDep) -> Response:
    """The form for a new agent (administrators; team leads for their teams)."""
    version, configuration = await viewed(page)
    screen = _new_screen(page, configuration, version)
    scoping.require(screen.editable, "adding agents")
    defaults = AgentForm(tier=Tier.DEVELOPING.value, timezone="Europe/Istanbul")
    defaults.status = AgentStatus.ACTIVE.value
    return _show_new(page, screen, NewAgentForm(settings=defaults))


@router.post("/new")
async def agent_create(
    page: PageDep,
    base_version: Annotated[int, Form(ge=0, le=INTEGER_MAX)],
    key: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    pools: Annotated[list[str] | None, Form()] = None,
    started_on: Annotated[str, Form()] = "",
    languages: Annotated[str, Form()] = "",
    skills: Annotated[list[str] | None, Form()] = None,
    other_skills: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    cap_day: Annotated[str, Form()] = "",
    cap_week: Annotated[str, Form()] = "",
    cap_month: Annotated[str, Form()] = "",
    cap_open: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    version, configuration = await viewed(page)
    screen = _new_screen(page, configuration, version)
    scoping.require(screen.editable, "adding agents")
    caps = {"day": cap_day, "week": cap_week, "month": cap_month, "open": cap_open}
    status = AgentStatus.ACTIVE.value
    settings = AgentForm(
        languages, skills or [], other_skills, tier, timezone, status, caps, comment
    )
    form_data = await page.request.form()
    weights = {pool: str(form_data.get(f"weight_{pool}", "")) for pool in pools or []}
    form = NewAgentForm(
        key.strip(), name, email.strip(), team, pools or [], weights, started_on, settings
    )
    agent = form.read(
        [t.key for t in screen.context["teams"]], [p.key for p in screen.context["pipelines"]]
    )
    if agent is None:
        return _show_new(page, screen, form, status=400)
    try:
        saved = await new_agent.add_agent(
            page.store, page.viewer, configuration, agent, base_version=base_version,
            comment=comment,
        )  # fmt: skip
    except new_agent.AgentExists:
        form.problems["key"] = N_("An agent with this key exists already.")
        return _show_new(page, screen, form, status=409)
    except StaleVersion:
        return _show_new(page, screen, form, stale=True, status=409)
    except ConfigurationError as exc:
        problems = [f"{p.location}: {p.message}" for p in exc.problems]
        return _show_new(page, screen, form, status=400, config_problems=problems)
    await page.store.commit()
    page.flash(page.gettext("Saved as configuration version %(number)s.", number=saved))
    return RedirectResponse(f"/config/agents/{agent.key}", status_code=303)


def _show(page: Page, screen: Screen, form: AgentForm, **how: Any) -> Response:
    problems = {name: page.gettext(message) for name, message in form.problems.items()}
    return screen.show(form, problems=problems, **how)


async def _visible_agent(page: Page, key: str) -> tuple[int, Configuration, Agent]:
    version, configuration = await viewed(page)
    agent = find(configuration.agents, key)
    scoping.require(scoping.can_see_agent(page.viewer, agent), f"agent {key}")
    return version, configuration, agent


@router.get("/{key}")
async def agent_detail(page: PageDep, key: str) -> Response:
    version, configuration, agent = await _visible_agent(page, key)
    form = AgentForm.of(agent_settings.settings_of(configuration, key))
    return _show(page, _screen(page, configuration, version, agent), form)


@router.post("/{key}")
async def agent_save(
    page: PageDep,
    key: str,
    base_version: Annotated[int, Form(ge=0, le=INTEGER_MAX)],
    languages: Annotated[str, Form()] = "",
    skills: Annotated[list[str] | None, Form()] = None,
    other_skills: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    cap_day: Annotated[str, Form()] = "",
    cap_week: Annotated[str, Form()] = "",
    cap_month: Annotated[str, Form()] = "",
    cap_open: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    version, configuration, agent = await _visible_agent(page, key)
    scoping.require(scoping.can_edit_agent(page.viewer, agent), f"agent {key}")
    caps = {"day": cap_day, "week": cap_week, "month": cap_month, "open": cap_open}
    form = AgentForm(languages, skills or [], other_skills, tier, timezone, status, caps, comment)
    settings = form.read()
    screen = _screen(page, configuration, version, agent)
    if settings is None:
        return _show(page, screen, form, status=400)
    try:
        saved = await agent_settings.update_agent(
            page.store,
            page.viewer,
            configuration,
            key,
            settings,
            base_version=base_version,
            comment=comment,
        )
    except StaleVersion:
        # Show what is saved now: re-sending the old form would undo the other person's change.
        current = AgentForm.of(agent_settings.settings_of(configuration, key))
        return _show(page, screen, current, status=409, stale=True)
    except ConfigurationError as exc:
        problems = [f"{p.location}: {p.message}" for p in exc.problems]
        return _show(page, screen, form, status=400, config_problems=problems)
    if saved is None:
        page.flash(page.gettext("Nothing changed, so no new version was saved."), "info")
    else:
        await page.store.commit()
        page.flash(page.gettext("Saved as configuration version %(number)s.", number=saved))
    return RedirectResponse(f"/config/agents/{key}", status_code=303)
