"""Configuration → Workflow fields: the fields the sales workflow records on a lead (text,
number, amount of money, date, month, choice), which stages may require. Organisation-wide, so
administrators change them; whoever sees the configuration reads them."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping
from leadflow.services.configuration.config_edits import Document
from leadflow.web.ui.config.forms import field_form
from leadflow.web.ui.config.saving import Save, base_version_of, save_and_redirect
from leadflow.web.ui.config.screens import Screen, viewed
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.routers import page_router

router = page_router("/config/fields")


def _screen(page: Page, version: int) -> Screen:
    editable = scoping.can_edit_fields(page.viewer)
    shown = {"field_types": field_form.FIELD_TYPES}
    return Screen(page, "config/fields.html", "pipelines", version, editable, shown)


@router.get("")
async def fields_detail(page: PageDep) -> Response:
    version, configuration = await viewed(page)
    return _screen(page, version).show(field_form.form_of(configuration))


def _replace_fields(fields: list[dict[str, Any]]) -> Any:
    def edit(document: Document) -> None:
        document["fields"] = fields

    return edit


@router.post("")
async def fields_save(page: PageDep) -> Response:
    version, configuration = await viewed(page)
    scoping.require(scoping.can_edit_fields(page.viewer), "workflow fields")
    sent = await page.request.form()
    form = field_form.sent_form(sent)
    fields, problems = field_form.read_fields(form, configuration)
    rerender = _screen(page, version).rerender(form, lambda: _saved(configuration))
    save = Save(
        _replace_fields(fields),
        scoping.can_edit_fields(page.viewer),
        "workflow fields",
        base_version_of(sent),
        form["comment"],
        "workflow fields",
        fields={"fields": "fields"},
    )
    return await save_and_redirect(page, configuration, save, "/config/fields", rerender, problems)


def _saved(configuration: Configuration) -> dict[str, Any]:
    return field_form.form_of(configuration)
