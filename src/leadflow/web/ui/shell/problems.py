"""Why a form was refused, worded for people (the services name the problem, we word it)."""

from __future__ import annotations

from leadflow.services.access.users import AccountError, Problem
from leadflow.web.ui.shell.i18n import N_

ACCOUNT_PROBLEMS = {
    Problem.EMAIL_INVALID: N_("This is not a valid e-mail address."),
    Problem.EMAIL_TAKEN: N_("A user with this e-mail address exists already."),
    Problem.NAME_MISSING: N_("Enter the person's name."),
    Problem.ROLE_UNKNOWN: N_("Choose one of the roles."),
    Problem.TEAM_MISSING: N_("A team lead needs at least one team."),
    Problem.AGENT_MISSING: N_("An agent user must be linked to an agent of the configuration."),
    Problem.PASSWORD_SHORT: N_("The password must have at least 10 characters."),
    Problem.PASSWORD_WRONG: N_("The current password is not correct."),
    Problem.LOCALE_UNKNOWN: N_("Choose one of the languages."),
    Problem.TIMEZONE_UNKNOWN: N_("Choose a time zone from the list."),
    Problem.SELF_DEACTIVATION: N_("You cannot deactivate your own account."),
    Problem.UNKNOWN_USER: N_("This user does not exist."),
}


def account_problem(error: AccountError) -> str:
    """The untranslated message for `error`."""
    return ACCOUNT_PROBLEMS[error.problem]
