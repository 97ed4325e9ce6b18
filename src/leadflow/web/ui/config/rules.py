"""Configuration → Rules: the ordered rules (add, edit, delete, reorder) and, beside them, "route a
test lead now" through the simulator, with the live configuration or the rule being edited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import OPERATORS, Configuration, Rule
from leadflow.services.access import scoping
from leadflow.services.configuration import config_edits
from leadflow.services.configuration.agent_settings import StaleVersion
from leadflow.services.configuration.config_edits import UnknownEntry
from leadflow.web.params import INTEGER_MAX
from leadflow.web.ui.config import testlead
from leadflow.web.ui.config.forms import rule_form
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.saving import Save, base_version_of, confirm, save_and_redirect
from leadflow.web.ui.config.screens import Screen, find
from leadflow.web.ui.config.terms import TERMS
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/rules")
NEW = "new"
RULE_FIELDS = {
    "key": "key",
    "name": "name",
    "priority": "priority",
    "pipeline": "pipeline",
    "fallback": "fallback",
}


async def _rules_configuration(page: Page) -> tuple[int, Configuration]:
    scoping.require(scoping.can_view_rules(page.viewer), "routing rules")
    return await page.versioned_configuration()


def _ordered(configuration: Configuration) -> list[Rule]:
    return sorted(configuration.rules, key=lambda rule: rule.priority)


@router.get("")
async def rule_list(page: PageDep) -> Response:
    version, configuration = await _rules_configuration(page)
    return page.render(
        "config/rules.html",
        section="rules",
        version=version,
        rules=_ordered(configuration),
        pipeline_names={p.key: p.name for p in configuration.pipelines},
        default_pipeline=configuration.default_pipeline,
        editable=scoping.can_edit_rules(page.viewer),
        terms=TERMS,
        **testlead.panel_context(page, draft_possible=False),
    )


def _screen(page: Page, version: int, configuration: Configuration, key: str) -> Screen:
    editable = scoping.can_edit_rules(page.viewer)
    shown = {
        "key": key,
        "pipelines": configuration.pipelines,
        "fields": rule_form.FIELDS,
        "operators": OPERATORS,
        **testlead.panel_context(page, draft_possible=editable),
    }
    return Screen(page, "config/rule.html", "rules", version, editable, shown)


def _rule(configuration: Configuration, key: str) -> Rule:
    return find(configuration.rules, key)


@router.get("/{key}")
async def rule_detail(page: PageDep, key: str) -> Response:
    version, configuration = await _rules_configuration(page)
    if key == NEW:
        form = rule_form.blank_rule_form()
    else:
        form = rule_form.rule_form(_rule(configuration, key))
    return _screen(page, version, configuration, key).show(form)


def rule_edit(
    configuration: Configuration, key: str, form: dict[str, Any]
) -> tuple[config_edits.Edit, FieldProblems]:
    """The edit that saves the rule form, and the problems of the form itself."""
    keep = None if key == NEW else _rule(configuration, key).when
    pipelines = [p.key for p in configuration.pipelines]
    kept = keep.model_dump(mode="json", exclude_defaults=True) if keep is not None else None
    entry, problems = rule_form.read_rule(form, pipelines, kept)
    taken = {r.key for r in configuration.rules} - ({key} if key != NEW else set())
    if entry["key"] in taken:
        problems.add("key", N_("A rule with this key exists already."))
    return config_edits.save_rule(None if key == NEW else key, entry), problems


@router.post("/{key}")
async def rule_save(page: PageDep, key: str) -> Response:
    version, configuration = await _rules_configuration(page)
    scoping.require(scoping.can_edit_rules(page.viewer), "routing rules")
    sent = await page.request.form()
    form = rule_form.sent_rule_form(sent)
    edit, problems = rule_edit(configuration, key, form)
    screen = _screen(page, version, configuration, key)
    rerender = screen.rerender(form, lambda: rule_form.rule_form(_rule(configuration, key)))
    index = len(configuration.rules) if key == NEW else config_index(configuration, key)
    save = Save(
        edit,
        scoping.can_edit_rules(page.viewer),
        "routing rules",
        base_version_of(sent),
        form["comment"],
        f"rule {form['key']}" + (" added" if key == NEW else ""),
        prefix=f"rules[{index}]",
        fields=RULE_FIELDS | rule_form.condition_fields(form),
    )
    return await save_and_redirect(page, configuration, save, "/config/rules", rerender, problems)


def config_index(configuration: Configuration, key: str) -> int:
    return next(i for i, r in enumerate(configuration.rules) if r.key == key)


async def _quick_change(
    page: Page, base_version: int, edit: config_edits.Edit, note: str
) -> Response:
    """Reorder or delete: saved at once, or refused with a message on the list."""
    _, configuration = await _rules_configuration(page)
    try:
        saved = await config_edits.save(
            page.store,
            page.viewer,
            configuration,
            edit,
            allowed=scoping.can_edit_rules(page.viewer),
            what="routing rules",
            base_version=base_version,
            comment="",
            default_comment=note,
        )
    except UnknownEntry:
        raise HTTPException(404) from None
    except StaleVersion:
        page.flash(
            page.gettext("Someone saved a change meanwhile; the list now shows it. Try again."),
            "error",
        )
        return RedirectResponse("/config/rules", status_code=303)
    except config_edits.ConfigurationError as exc:
        page.flash(str(exc), "error")
        return RedirectResponse("/config/rules", status_code=303)
    confirm(page, saved)
    if saved is not None:
        await page.store.commit()
    return RedirectResponse("/config/rules", status_code=303)


@router.post("/{key}/move")
async def rule_move(
    page: PageDep,
    key: str,
    base_version: Annotated[int, Form(ge=0, le=INTEGER_MAX)],
    direction: Annotated[str, Form()],
) -> Response:
    step = -1 if direction == "up" else 1
    return await _quick_change(
        page,
        base_version,
        config_edits.shift_rule(key, step),
        f"rule {key} moved {'up' if step < 0 else 'down'}",
    )


@router.post("/{key}/delete")
async def rule_delete(
    page: PageDep, key: str, base_version: Annotated[int, Form(ge=0, le=INTEGER_MAX)]
) -> Response:
    _, configuration = await _rules_configuration(page)
    _rule(configuration, key)
    return await _quick_change(
        page,
        base_version,
        config_edits.drop_rule(key),
        f"rule {key} deleted",
    )


@router.post("/test/{key}")
async def rule_test(page: PageDep, key: str) -> Response:
    """The test-lead panel (an HTMX fragment): the decision and its trace, nothing written."""
    scoping.require(scoping.can_simulate(page.viewer), "routing simulation")
    _, configuration = await page.versioned_configuration()
    sent = await page.request.form()
    draft = None
    if sent.get("use_draft") == "1" and scoping.can_view_rules(page.viewer):
        form = rule_form.sent_rule_form(sent)
        edit, problems = rule_edit(configuration, key, form)
        if problems:
            return testlead.draft_refused(page, problems.worded(page.gettext))
        try:
            draft = config_edits.draft(configuration, edit)
        except config_edits.ConfigurationError as exc:
            return testlead.draft_refused(page, {"": str(exc)})
    return await testlead.route_test_lead(page, sent, configuration, draft)
