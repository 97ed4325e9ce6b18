"""Administration → API tokens: issue one (its secret is shown once) or revoke one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import scoping, token_admin
from leadflow.services.access.scoping import LEAST_PRIVILEGE, Scope
from leadflow.services.access.tokens import IssuedToken, TokenExists
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/admin/tokens")

SCOPES = (
    (Scope.INTAKE, N_("submit leads")),
    (Scope.READ, N_("read leads, decisions, the queue and the roster; simulate")),
    (Scope.WORK, N_("record activities and reassign leads")),
    (Scope.CONFIGURATION, N_("read, change and roll back the configuration")),
)
"""Each scope with what it allows, as the form's checkboxes show them."""


def _admin(page: Page) -> None:
    scoping.require(scoping.can_manage_tokens(page.viewer), "API tokens")


async def _tokens_page(
    page: Page,
    *,
    issued: IssuedToken | None = None,
    problem: str | None = None,
    name: str = "",
    chosen: frozenset[Scope] = LEAST_PRIVILEGE,
    status: int = 200,
) -> Response:
    return page.render(
        "admin/tokens.html",
        status=status,
        section="tokens",
        tokens=await token_admin.list_tokens(page.store),
        issued=issued,
        problem=problem,
        name=name,
        scopes=SCOPES,
        chosen=chosen,
    )


@router.get("")
async def token_list(page: PageDep) -> Response:
    _admin(page)
    return await _tokens_page(page)


@router.post("")
async def token_create(
    page: PageDep,
    name: Annotated[str, Form()] = "",
    scope: Annotated[list[Scope] | None, Form()] = None,
) -> Response:
    """A token holding the ticked scopes; none ticked is the least privilege, intake only."""
    _admin(page)
    chosen = frozenset(scope) if scope else LEAST_PRIVILEGE
    if not name.strip():
        problem = N_("Give the token a name.")
        return await _tokens_page(page, problem=problem, chosen=chosen, status=400)
    try:
        issued = await token_admin.issue(page.store, name, chosen, actor=page.viewer.actor)
    except TokenExists:
        problem = N_("A token with this name exists already.")
        return await _tokens_page(page, problem=problem, name=name, chosen=chosen, status=400)
    await page.store.commit()
    # Answered directly (no redirect): the secret must not be kept anywhere to show it later.
    return await _tokens_page(page, issued=issued, status=201)


@router.post("/revoke")
async def token_revoke(page: PageDep, name: Annotated[str, Form()]) -> Response:
    _admin(page)
    if await token_admin.revoke(page.store, name, actor=page.viewer.actor, now=page.now):
        await page.store.commit()
        page.flash(page.gettext("The token %(name)s is revoked.", name=name))
    else:
        page.flash(page.gettext("There is no live token named %(name)s.", name=name), "error")
    return RedirectResponse("/admin/tokens", status_code=303)
