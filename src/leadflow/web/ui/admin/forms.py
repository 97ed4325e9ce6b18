"""Administration → Web forms: create a landing page's form, edit its origins and field
mapping, copy its embed snippet, disable it; each form's refused posts counted."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from leadflow.domain import web_forms as pages
from leadflow.domain.web_forms import Problem, Refusal, WebFormSpec
from leadflow.services.access import scoping
from leadflow.services.intake import web_forms
from leadflow.services.intake.web_forms import FormLine, FormRefused, UnknownForm
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/admin/forms")

PROBLEMS = {
    Problem.KEY: N_(
        "Use 2 to 64 lower-case letters, digits, - or _, starting with a letter or digit."
    ),
    Problem.KEY_TAKEN: N_("A form with this key exists already."),
    Problem.NAME: N_("Give the form a name (at most 200 characters)."),
    Problem.ORIGIN: N_("%(value)s is not an origin: write a scheme and a host, e.g. https://clinic.example."),
    Problem.FIELD_NAME: N_("%(value)s is not a field name: 1 to 64 letters, digits, _ . - [ ]."),
    Problem.TARGET: N_("%(value)s is neither a lead field nor custom.NAME."),
    Problem.HONEYPOT: N_("%(value)s is the honeypot's name: choose another."),
    Problem.TWICE: N_("Two page fields fill %(value)s."),
}  # fmt: skip
"""Each refusal of a form's configuration, in the admin's words."""

LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "message": N_("Message"),
    "country": N_("Country"),
    "treatment": N_("Treatment"),
}
"""The snippet's labels, in the admin's language (the page is theirs to reword)."""


def _admin(page: Page) -> None:
    scoping.require(scoping.can_manage_web_forms(page.viewer), "web forms")


def _problems(page: Page, refusals: list[Refusal]) -> dict[str, list[str]]:
    """Translated messages by input: `field_map.x` belongs to the mapping's input."""
    shown: dict[str, list[str]] = {}
    for refusal in refusals:
        where = refusal.field.partition(".")[0]
        text = page.gettext(PROBLEMS[refusal.problem], value=refusal.value)
        shown.setdefault(where, []).append(text)
    return shown


def _spec(key: str, name: str, origins: str, mapping: str, enabled: bool) -> WebFormSpec:
    return WebFormSpec(
        key=key.strip(),
        name=name,
        allowed_origins=tuple(o for o in origins.split() if o),
        field_map=pages.parse_mapping(mapping),
        enabled=enabled,
    )


def _values(spec: WebFormSpec) -> dict[str, str]:
    return {
        "key": spec.key,
        "name": spec.name,
        "origins": "\n".join(spec.allowed_origins),
        "mapping": pages.mapping_text(spec.field_map),
    }


async def _list_page(
    page: Page,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "admin/forms.html",
        status=status,
        section="forms",
        forms=await web_forms.list_forms(page.store),
        values=values or {"key": "", "name": "", "origins": "", "mapping": ""},
        problems=problems or {},
        fields=pages.MAPPABLE,
    )


@router.get("")
async def form_list(page: PageDep) -> Response:
    _admin(page)
    return await _list_page(page)


@router.post("")
async def form_create(
    page: PageDep,
    key: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    origins: Annotated[str, Form()] = "",
    mapping: Annotated[str, Form()] = "",
) -> Response:
    _admin(page)
    spec = _spec(key, name, origins, mapping, True)
    try:
        created = await web_forms.create(page.store, spec, actor=page.viewer.actor, now=page.now)
    except FormRefused as refused:
        problems = _problems(page, refused.refusals)
        return await _list_page(page, values=_values(spec), problems=problems, status=400)
    await page.store.commit()
    page.flash(page.gettext("The form %(name)s is ready: copy its snippet.", name=created.name))
    return RedirectResponse(f"/admin/forms/{created.key}", status_code=303)


async def _form(page: Page, key: str) -> FormLine:
    try:
        return await web_forms.get(page.store, key)
    except UnknownForm:
        page.flash(page.gettext("There is no form %(key)s.", key=key), "error")
        raise


def _form_page(
    page: Page,
    request: Request,
    form: FormLine,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    action = str(request.url_for("submit_form", form_key=form.key))
    labels = {name: page.gettext(label) for name, label in LABELS.items()}
    snippet = pages.embed_snippet(action, form.field_map, labels, page.gettext("Send"))
    spec = WebFormSpec(form.key, form.name, form.allowed_origins, form.field_map, form.enabled)
    return page.render(
        "admin/form.html",
        status=status,
        section="forms",
        form=form,
        action=action,
        snippet=snippet,
        values=values or _values(spec),
        problems=problems or {},
        fields=pages.MAPPABLE,
        honeypot=pages.HONEYPOT,
    )


@router.get("/{key}")
async def form_show(page: PageDep, request: Request, key: str) -> Response:
    _admin(page)
    try:
        form = await _form(page, key)
    except UnknownForm:
        return RedirectResponse("/admin/forms", status_code=303)
    return _form_page(page, request, form)


@router.post("/{key}")
async def form_edit(
    page: PageDep,
    request: Request,
    key: str,
    name: Annotated[str, Form()] = "",
    origins: Annotated[str, Form()] = "",
    mapping: Annotated[str, Form()] = "",
) -> Response:
    _admin(page)
    try:
        form = await _form(page, key)
    except UnknownForm:
        return RedirectResponse("/admin/forms", status_code=303)
    spec = _spec(key, name, origins, mapping, form.enabled)
    try:
        await web_forms.update(page.store, spec, actor=page.viewer.actor, now=page.now)
    except FormRefused as refused:
        problems = _problems(page, refused.refusals)
        return _form_page(page, request, form, values=_values(spec), problems=problems, status=400)
    await page.store.commit()
    page.flash(page.gettext("The form %(name)s is saved.", name=spec.name.strip()))
    return RedirectResponse(f"/admin/forms/{key}", status_code=303)


@router.post("/{key}/enabled")
async def form_enabled(page: PageDep, key: str, enabled: Annotated[bool, Form()]) -> Response:
    _admin(page)
    try:
        form = await web_forms.set_enabled(
            page.store, key, enabled, actor=page.viewer.actor, now=page.now
        )
    except UnknownForm:
        page.flash(page.gettext("There is no form %(key)s.", key=key), "error")
        return RedirectResponse("/admin/forms", status_code=303)
    await page.store.commit()
    message = (
        N_("The form %(name)s takes posts again.")
        if enabled
        else N_("The form %(name)s is disabled: its posts are refused.")
    )
    page.flash(page.gettext(message, name=form.name))
    return RedirectResponse(f"/admin/forms/{key}", status_code=303)
