"""Configuration and accounts agree: each team lead a configuration names has an active team
lead's account that covers every team naming them. Otherwise alerts meant for the team lead go
to someone who cannot see the team's leads. Checked whenever a configuration is applied; a
mismatch is a warning (accounts may be created right after), never a refusal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Role
from leadflow.services.access.users import Account, list_accounts
from leadflow.services.configuration import versions
from leadflow.storage.store import Store


class Problem(StrEnum):
    NO_ACCOUNT = "no_account"
    INACTIVE = "inactive"
    NOT_A_TEAM_LEAD = "not_a_team_lead"
    TEAMS_NOT_COVERED = "teams_not_covered"


@dataclass(frozen=True)
class Mismatch:
    email: str
    problem: Problem
    teams: tuple[str, ...]
    """The teams that name them as lead (for TEAMS_NOT_COVERED: those their account lacks)."""

    @property
    def message(self) -> str:
        teams = ", ".join(self.teams)
        match self.problem:
            case Problem.NO_ACCOUNT:
                return f"team lead {self.email} of {teams} has no account"
            case Problem.INACTIVE:
                return f"team lead {self.email} of {teams} has a deactivated account"
            case Problem.NOT_A_TEAM_LEAD:
                return f"{self.email}, named team lead of {teams}, has no team lead account"
            case Problem.TEAMS_NOT_COVERED:
                return f"the account of team lead {self.email} does not cover {teams}"


def mismatches(configuration: Configuration, accounts: Sequence[Account]) -> list[Mismatch]:
    """Each team lead named in `configuration` whose account is missing or does not fit."""
    named: dict[str, list[str]] = {}
    for team in configuration.teams:
        for email in team.leads:
            named.setdefault(email.strip().lower(), []).append(team.key)
    by_email = {account.email.lower(): account for account in accounts}
    found = (_mismatch(email, teams, by_email.get(email)) for email, teams in named.items())
    return [mismatch for mismatch in found if mismatch is not None]


def _mismatch(email: str, teams: list[str], account: Account | None) -> Mismatch | None:
    if account is None:
        return Mismatch(email, Problem.NO_ACCOUNT, tuple(teams))
    if not account.is_active:
        return Mismatch(email, Problem.INACTIVE, tuple(teams))
    if account.role in (Role.ADMIN, Role.MANAGER):
        return None  # they see every team
    if account.role is not Role.TEAM_LEAD:
        return Mismatch(email, Problem.NOT_A_TEAM_LEAD, tuple(teams))
    missing = tuple(team for team in teams if team not in account.team_keys)
    return Mismatch(email, Problem.TEAMS_NOT_COVERED, missing) if missing else None


async def check(store: Store, configuration: Configuration) -> list[Mismatch]:
    return mismatches(configuration, await list_accounts(store))


async def check_active(store: Store) -> list[Mismatch]:
    """The active version's mismatches (within the transaction that just stored it)."""
    _, document = await versions.active_document(store)
    return await check(store, versions.validate(document))
