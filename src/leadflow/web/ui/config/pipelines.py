"""Configuration → Pipelines: stages (type, name, required fields) and lost reasons, business
hours, SLA, no-agent and repeat policies, and the pool (strategy, members and weights, tier
bands). Weights are edited right on the list."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from leadflow.domain.configuration import (
    BUILTIN_FIELDS,
    WEEKDAYS,
    Configuration,
    Pipeline,
)
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.web.ui.config.forms import pipeline_form, readers, stage_rows
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import Save, base_version_of, save_and_redirect
from leadflow.web.ui.config.screens import Screen, find, viewed
from leadflow.web.ui.config.terms import TERMS
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.routers import page_router
from leadflow.web.ui.shell.vocabulary import label_key

router = page_router("/config/pipelines")
PIPELINE_FIELDS = {
    "name": "name",
    "timezone": "timezone",
    "stages": "stages",
    "lost_reasons": "lost_reasons",
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
    version, configuration = await viewed(page)
    return _list(page, version, configuration)


async def _visible_pipeline(page: Page, key: str) -> tuple[int, Configuration, Pipeline]:
    version, configuration = await viewed(page)
    pipeline = find(configuration.pipelines, key)
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
        m.agent: readers.read_int(
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


def _screen(page: Page, version: int, configuration: Configuration, pipeline: Pipeline) -> Screen:
    shown = {
        "pipeline": pipeline,
        "team_name": configuration.team(pipeline.team).name,
        "agents": configuration.agents,
        "weekdays": WEEKDAYS,
        "strategies": pipeline_form.STRATEGIES,
        "actions": pipeline_form.ACTIONS,
        "owner_away": pipeline_form.OWNER_AWAY,
        "timezones": timezones(),
        "stage_types": stage_rows.STAGE_TYPES,
    }
    editable = scoping.can_edit_team(page.viewer, pipeline.team)
    return Screen(
        page,
        "config/pipeline.html",
        "pipelines",
        version,
        editable,
        shown,
        beside_form=lambda form: {
            "candidates": _candidates(configuration, pipeline, form),
            "requires_choices": [_requirable(configuration, row) for row in form["stages"]],
        },
    )


def _field_keys(configuration: Configuration) -> list[str]:
    return [*BUILTIN_FIELDS, *(f.key for f in configuration.fields)]


def _requirable(configuration: Configuration, row: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(key, label, whether the label is ours to translate) of the fields a stage may require:
    those its row requires first, in their order (saved unchanged, they stay in it)."""
    choices = [(key, label_key("field", key), True) for key in BUILTIN_FIELDS] + [
        (f.key, f.label, False) for f in configuration.fields
    ]
    chosen = [c for key in row["requires"] for c in choices if c[0] == key]
    return chosen + [c for c in choices if c[0] not in row["requires"]]


def _candidates(configuration: Configuration, pipeline: Pipeline, form: dict[str, Any]) -> Any:
    """Who may be ticked as a member: the team's agents, and whoever is a member already."""
    members = set(form["members"])
    return [a for a in configuration.agents if a.team == pipeline.team or a.key in members]


@router.get("/{key}")
async def pipeline_detail(page: PageDep, key: str) -> Response:
    version, configuration, pipeline = await _visible_pipeline(page, key)
    return _screen(page, version, configuration, pipeline).show(pipeline_form.form_of(pipeline))


@router.post("/{key}")
async def pipeline_save(page: PageDep, key: str) -> Response:
    version, configuration, pipeline = await _visible_pipeline(page, key)
    scoping.require(scoping.can_edit_team(page.viewer, pipeline.team), f"pipeline {key}")
    sent = await page.request.form()
    candidates = [a.key for a in configuration.agents]
    form = pipeline_form.sent_form(sent, candidates)
    values, problems = pipeline_form.read_pipeline(form, _field_keys(configuration))

    screen = _screen(page, version, configuration, pipeline)
    rerender = screen.rerender(form, lambda: pipeline_form.form_of(pipeline))
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
