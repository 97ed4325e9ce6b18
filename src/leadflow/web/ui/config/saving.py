"""What every configuration screen does with a save: apply the edit through
`services.configuration.config_edits.save`, then answer with the confirmation, the stale-form
notice or the problems beside their fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.domain.configuration import Configuration
from leadflow.services.configuration import accounts, config_edits
from leadflow.services.configuration.accounts import Problem
from leadflow.services.configuration.config_edits import (
    ConfigurationError,
    Edit,
    StaleVersion,
    UnknownEntry,
)
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.context import Page
from leadflow.web.ui.shell.i18n import N_

Rerender = Callable[[int, dict[str, str], bool], Response]
"""Shows the form again: (HTTP status, problems by field, whether the form was stale)."""


@dataclass(frozen=True)
class Save:
    edit: Edit
    allowed: bool
    what: str
    base_version: int
    comment: str
    default_comment: str
    prefix: str = ""
    """Where the edited entry sits in the document (`teams[2]`), to place its problems."""
    fields: dict[str, str] = field(default_factory=dict)
    """Path below `prefix` → the form field showing it; a path also covers what lies under it."""


async def save_and_redirect(
    page: Page,
    configuration: Configuration,
    save: Save,
    redirect: str,
    rerender: Rerender,
    problems: FieldProblems | None = None,
) -> Response:
    """Save and go to `redirect`; or show the form again with the problems the form itself had
    (`problems`, nothing tried), the document's problems, or the stale-form notice."""
    if problems:
        return rerender(422, problems.worded(page.gettext), False)
    try:
        saved = await config_edits.save(
            page.store,
            page.viewer,
            configuration,
            save.edit,
            allowed=save.allowed,
            what=save.what,
            base_version=save.base_version,
            comment=save.comment,
            default_comment=save.default_comment,
        )
    except StaleVersion:
        return rerender(409, {}, True)
    except UnknownEntry:
        raise HTTPException(404) from None
    except ConfigurationError as exc:
        return rerender(422, placed(config_edits.problems_under(exc, save.prefix), save), False)
    confirm(page, saved)
    if saved is not None:
        await warn_of_accounts(page)
        await page.store.commit()
    return RedirectResponse(redirect, status_code=303)


_MISMATCHES = {
    Problem.NO_ACCOUNT: N_(
        "Team lead %(email)s of %(teams)s has no account: their alerts reach nobody who can "
        "see these teams' leads."
    ),
    Problem.INACTIVE: N_("Team lead %(email)s of %(teams)s has a deactivated account."),
    Problem.NOT_A_TEAM_LEAD: N_(
        "%(email)s is named team lead of %(teams)s but their account is not a team lead's."
    ),
    Problem.TEAMS_NOT_COVERED: N_(
        "The account of team lead %(email)s does not cover %(teams)s: give it these teams "
        "under Users."
    ),
}


async def warn_of_accounts(page: Page) -> None:
    """A warning for each team lead of the configuration just saved whose account is missing
    or does not cover their teams."""
    for mismatch in await accounts.check_active(page.store):
        teams = ", ".join(mismatch.teams)
        message = page.gettext(_MISMATCHES[mismatch.problem], email=mismatch.email, teams=teams)
        page.flash(message, "warning")


def confirm(page: Page, saved: int | None) -> None:
    if saved is None:
        page.flash(page.gettext("Nothing changed, so no new version was saved."), "info")
    else:
        page.flash(page.gettext("Saved as configuration version %(number)s.", number=saved))


def placed(problems: dict[str, str], save: Save) -> dict[str, str]:
    """Problems by form field; those no field shows go under "" with their path."""
    found: dict[str, str] = {}
    for path, message in problems.items():
        owner = max(
            (p for p in save.fields if path == p or path.startswith((p + ".", p + "["))),
            key=len,
            default=None,
        )
        if owner is not None:
            found.setdefault(save.fields[owner], message)
        else:
            found.setdefault("", f"{path}: {message}" if path else message)
    return found


async def sent_fields(page: Page, defaults: dict[str, str]) -> dict[str, str]:
    """The form's text fields named in `defaults`, each defaulting to its value there."""
    sent = await page.request.form()
    return {name: str(sent.get(name, default)) for name, default in defaults.items()}


def base_version_of(sent: Mapping[str, Any]) -> int:
    """The version the form was based on; anything unreadable counts as stale (0)."""
    text = str(sent.get("base_version", ""))
    return int(text) if text.isdigit() else 0
