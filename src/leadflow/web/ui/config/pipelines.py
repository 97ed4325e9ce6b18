"""Configuration → Pipelines: stages, business hours, SLA, no-agent and repeat policies, and the
pool (strategy, members and weights, tier bands). Weights are edited right on the list."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response

from leadflow.domain.configuration import (
    WEEKDAYS,
    Configuration,
    NoAgentAction,
    OwnerAway,
    Pipeline,
    Strategy,
    Tier,
)
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.web.ui.config import forms as config_forms
from leadflow.web.ui.config.forms import FieldProblems
from leadflow.web.ui.config.saving import Save, base_version_of, save_and_redirect
from leadflow.web.ui.config.screens import Screen
from leadflow.web.ui.config.terms import TERMS
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/pipelines")
STRATEGIES = [s.value for s in Strategy]
ACTIONS = [a.value for a in NoAgentAction]
OWNER_AWAY = [o.value for o in OwnerAway]
TIERS = [t.value for t in Tier]
PIPELINE_FIELDS = {
    "name": "name",
    "timezone": "timezone",
    "stages": "stages",
    "sla.first_contact_minutes": "sla_minutes",
    "sla.max_reassignments": "max_reassignments",
    "when_no_agent": "when_no_agent",
    "when_no_agent.agent": "no_agent_agent",
    "repeats": "when_owner_away",
    "pool.strategy": "strategy",
    "pool.members": "members",
    "pool.tier_bands": "tier_bands",
    "business_hours": "business_hours",
}


def _list(
    page: Page,
    version: int,
    configuration: Configuration,
    *,
    status: int = 200,
    problems: dict[str, str] | None = None,
    **shown: Any,
) -> Response:
    """The pipelines the viewer sees, each with its pool's weights editable where allowed."""
    pipelines = scoping.visible_pipelines(page.viewer, configuration.pipelines)
    return page.render(
        "config/pipelines.html",
        status=status,
        section="pipelines",
        version=version,
        pipelines=pipelines,
        team_names={t.key: t.name for t in configuration.teams},
        agent_names={a.key: a.name for a in configuration.agents},
        editable={p.key for p in pipelines if scoping.can_edit_team(page.viewer, p.team)},
        terms=TERMS,
        problems=problems or {},
        **shown,
    )


@router.get("")
async def pipeline_list(page: PageDep) -> Response:
    scoping.require(scoping.can_view_configuration(page.viewer), "configuration")
    version, configuration = await page.versioned_configuration()
    return _list(page, version, configuration)


async def _visible_pipeline(page: Page, key: str) -> tuple[int, Configuration, Pipeline]:
    scoping.require(scoping.can_view_configuration(page.viewer), "configuration")
    version, configuration = await page.versioned_configuration()
    pipeline = next((p for p in configuration.pipelines if p.key == key), None)
    if pipeline is None:
        raise HTTPException(404)
    scoping.require(scoping.can_see_team(page.viewer, pipeline.team), f"pipeline {key}")
    return version, configuration, pipeline


def _save(
    page: Page, configuration: Configuration, pipeline: Pipeline, edit: config_edits.Edit, **kw: Any
) -> Save:
    index = next(i for i, p in enumerate(configuration.pipelines) if p.key == pipeline.key)
    return Save(
        edit,
        scoping.can_edit_team(page.viewer, pipeline.team),
        f"pipeline {pipeline.key}",
        prefix=f"pipelines[{index}]",
        fields=PIPELINE_FIELDS,
        **kw,
    )


@router.post("/{key}/weights")
async def weights_save(page: PageDep, key: str) -> Response:
    """The quick edit: new weights for the pool's members, nothing else."""
    version, configuration, pipeline = await _visible_pipeline(page, key)
    scoping.require(scoping.can_edit_team(page.viewer, pipeline.team), f"pipeline {key}")
    form = await page.request.form()
    problems = FieldProblems()
    weights = {
        m.agent: config_forms.read_int(
            problems, f"weight.{key}.{m.agent}", str(form.get(f"weight.{m.agent}", ""))
        )
        for m in pipeline.pool.members
    }

    def rerender(status: int, found: dict[str, str], stale: bool) -> Response:
        sent = {name: str(value) for name, value in form.items()} if not stale else {}
        return _list(
            page, version, configuration, status=status, problems=found, stale=stale, sent=sent,
            sent_for=key,
        )  # fmt: skip

    save = _save(
        page,
        configuration,
        pipeline,
        config_edits.reweigh(key, weights),
        base_version=base_version_of(form),
        comment="",
        default_comment=f"pipeline {key}: weights",
    )
    redirect = f"/config/pipelines#{key}"
    return await save_and_redirect(page, configuration, save, redirect, rerender, problems)


def _form_of(pipeline: Pipeline) -> dict[str, Any]:
    hours = pipeline.business_hours
    form: dict[str, Any] = {
        "name": pipeline.name,
        "timezone": pipeline.timezone,
        "stages": ", ".join(pipeline.stages),
        "sla_minutes": str(pipeline.sla.first_contact_minutes),
        "max_reassignments": str(pipeline.sla.max_reassignments),
        "when_no_agent": pipeline.when_no_agent.action.value,
        "no_agent_agent": pipeline.when_no_agent.agent or "",
        "sticky": pipeline.repeats.sticky,
        "when_owner_away": pipeline.repeats.when_owner_away.value,
        "strategy": pipeline.pool.strategy.value,
        "members": {m.agent: str(m.weight) for m in pipeline.pool.members},
        "tier_bands": "\n".join(
            f"{b.field} {b.min:g}: {', '.join(t.value for t in b.tiers)}"
            for b in pipeline.pool.tier_bands
        ),
        "comment": "",
    }
    for day in WEEKDAYS:
        intervals = getattr(hours, day) if hours else []
        form[f"hours.{day}"] = config_forms.shown_intervals(intervals)
    return form


def _screen(page: Page, version: int, configuration: Configuration, pipeline: Pipeline) -> Screen:
    shown = {
        "pipeline": pipeline,
        "team_name": configuration.team(pipeline.team).name,
        "agents": configuration.agents,
        "weekdays": WEEKDAYS,
        "strategies": STRATEGIES,
        "actions": ACTIONS,
        "owner_away": OWNER_AWAY,
        "timezones": timezones(),
    }
    editable = scoping.can_edit_team(page.viewer, pipeline.team)
    return Screen(
        page,
        "config/pipeline.html",
        "pipelines",
        version,
        editable,
        shown,
        beside_form=lambda form: {"candidates": _candidates(configuration, pipeline, form)},
    )


def _candidates(configuration: Configuration, pipeline: Pipeline, form: dict[str, Any]) -> Any:
    """Who may be ticked as a member: the team's agents, and whoever is a member already."""
    members = set(form["members"])
    return [a for a in configuration.agents if a.team == pipeline.team or a.key in members]


@router.get("/{key}")
async def pipeline_detail(page: PageDep, key: str) -> Response:
    version, configuration, pipeline = await _visible_pipeline(page, key)
    return _screen(page, version, configuration, pipeline).show(_form_of(pipeline))


def _sent_form(sent: Any, candidates: list[str]) -> dict[str, Any]:
    text = {name: str(value) for name, value in sent.items()}
    form: dict[str, Any] = {
        name: text.get(name, "")
        for name in (
            "name", "timezone", "stages", "sla_minutes", "max_reassignments", "when_no_agent",
            "no_agent_agent", "when_owner_away", "strategy", "tier_bands", "comment",
        )
    }  # fmt: skip
    form["sticky"] = "sticky" in text
    form["members"] = {
        agent: text.get(f"weight.{agent}", "1") for agent in candidates if f"member.{agent}" in text
    }
    for day in WEEKDAYS:
        form[f"hours.{day}"] = text.get(f"hours.{day}", "")
    return form


def read_pipeline(form: dict[str, Any]) -> tuple[dict[str, Any], FieldProblems]:
    """The pipeline's fields for the document, and the problems found."""
    problems = FieldProblems()
    values: dict[str, Any] = {"name": form["name"].strip()}
    if not values["name"]:
        problems.add("name", N_("Enter the pipeline's name."))
    values["timezone"] = form["timezone"]
    if form["timezone"] not in timezones():
        problems.add("timezone", N_("Choose a time zone from the list."))
    values["stages"] = config_forms.words(form["stages"].lower())
    values["sla"] = {
        "first_contact_minutes": config_forms.read_int(
            problems, "sla_minutes", form["sla_minutes"], least=1
        ),
        "max_reassignments": config_forms.read_int(
            problems, "max_reassignments", form["max_reassignments"]
        ),
    }
    action = config_forms.read_choice(problems, "when_no_agent", form["when_no_agent"], ACTIONS)
    values["when_no_agent"] = {"action": action, "agent": form["no_agent_agent"] or None}
    values["repeats"] = {
        "sticky": form["sticky"],
        "when_owner_away": config_forms.read_choice(
            problems, "when_owner_away", form["when_owner_away"], OWNER_AWAY
        ),
    }
    values["pool"] = {
        "strategy": config_forms.read_choice(problems, "strategy", form["strategy"], STRATEGIES),
        "members": [
            {"agent": agent, "weight": config_forms.read_int(problems, f"weight.{agent}", weight)}
            for agent, weight in form["members"].items()
        ],
        "tier_bands": _tier_bands(problems, form["tier_bands"]),
    }
    hours = {
        day: config_forms.read_intervals(problems, f"hours.{day}", form[f"hours.{day}"])
        for day in WEEKDAYS
    }
    values["business_hours"] = hours if any(hours.values()) else None
    return values, problems


def _tier_bands(problems: FieldProblems, text: str) -> list[dict[str, Any]]:
    """One band a line: "budget 5000: high, developing" (field, least value, tiers best first)."""
    bands = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, tiers = line.partition(":")
        parts = head.split()
        names = config_forms.words(tiers.lower())
        try:
            least = float(parts[1]) if len(parts) == 2 else None
        except ValueError:
            least = None
        ok = parts and parts[0] in ("score", "budget") and least is not None and names
        if not ok or any(name not in TIERS for name in names):
            problems.add(
                "tier_bands",
                N_("Line %(line)s: write the field, the least value and the tiers, "
                   "such as budget 5000: high, developing."),
                line=number,
            )  # fmt: skip
            continue
        bands.append({"field": parts[0], "min": least, "tiers": names})
    return bands


@router.post("/{key}")
async def pipeline_save(page: PageDep, key: str) -> Response:
    version, configuration, pipeline = await _visible_pipeline(page, key)
    scoping.require(scoping.can_edit_team(page.viewer, pipeline.team), f"pipeline {key}")
    sent = await page.request.form()
    candidates = [a.key for a in configuration.agents]
    form = _sent_form(sent, candidates)
    values, problems = read_pipeline(form)

    screen = _screen(page, version, configuration, pipeline)
    rerender = screen.rerender(form, lambda: _form_of(pipeline))
    save = _save(
        page,
        configuration,
        pipeline,
        config_edits.update("pipelines", key, values),
        base_version=base_version_of(sent),
        comment=form["comment"],
        default_comment=f"pipeline {key}",
    )
    redirect = f"/config/pipelines/{key}"
    return await save_and_redirect(page, configuration, save, redirect, rerender, problems)
