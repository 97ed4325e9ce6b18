"""Administration → Users: who may sign in, with which role and scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Form
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import scoping, users
from leadflow.services.access.scoping import USER_ROLES
from leadflow.services.access.users import AccountError, NewUser
from leadflow.web.params import UserId
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.problems import account_problem
from leadflow.web.ui.shell.routers import page_router

router = page_router("/admin/users")


def _admin(page: Page) -> None:
    scoping.require(scoping.can_manage_users(page.viewer), "users")


@router.get("")
async def user_list(page: PageDep) -> Response:
    _admin(page)
    configuration = await page.configuration()
    return page.render(
        "admin/users.html",
        section="users",
        accounts=await users.list_accounts(page.store),
        team_names={t.key: t.name for t in configuration.teams},
        agent_names={a.key: a.name for a in configuration.agents},
    )


async def _new_form(
    page: Page, values: Mapping[str, object], *, problem: str | None = None, status: int = 200
) -> Response:
    configuration = await page.configuration()
    return page.render(
        "admin/user_new.html",
        status=status,
        section="users",
        values=values,
        problem=problem,
        roles=[role.value for role in USER_ROLES],
        teams=configuration.teams,
        agents=sorted(
            (a for a in configuration.agents if a.kind.value == "human"), key=lambda a: a.name
        ),
        timezones=timezones(),
    )


@router.get("/new")
async def new_user_form(page: PageDep) -> Response:
    _admin(page)
    defaults = {"role": "agent", "locale": page.locale, "timezone": page.account.timezone}
    return await _new_form(page, defaults)


@router.post("/new")
async def create_user(
    page: PageDep,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    teams: Annotated[list[str] | None, Form()] = None,
    agent: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "en",
    timezone: Annotated[str, Form()] = "Europe/Istanbul",
    password: Annotated[str, Form()] = "",
) -> Response:
    _admin(page)
    new = NewUser(
        email=email,
        name=name,
        role=role,
        password=password,
        team_keys=tuple(teams or ()),
        agent_key=agent or None,
        locale=locale,
        timezone=timezone,
    )
    try:
        created = await users.create_user(page.store, new, actor=page.viewer.actor)
    except AccountError as exc:
        values = {**new.__dict__, "password": ""}
        return await _new_form(page, values, problem=account_problem(exc), status=400)
    await page.store.commit()
    page.flash(page.gettext("%(name)s can now sign in.", name=created.name))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/{user_id}/active")
async def set_active(page: PageDep, user_id: UserId, active: Annotated[bool, Form()]) -> Response:
    _admin(page)
    try:
        changed = await users.set_active(page.store, user_id, active, by=page.account)
    except AccountError as exc:
        page.flash(page.gettext(account_problem(exc)), "error")
        return RedirectResponse("/admin/users", status_code=303)
    await page.store.commit()
    message = N_("%(name)s can sign in again.") if active else N_("%(name)s can no longer sign in.")
    page.flash(page.gettext(message, name=changed.name))
    return RedirectResponse("/admin/users", status_code=303)
