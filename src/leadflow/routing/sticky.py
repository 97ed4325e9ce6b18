"""Sticky owner: a repeat lead goes back to its contact's owner, else a backup or the pool."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import OwnerAway
from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Param, Reason
from leadflow.domain.roster import RosterView
from leadflow.routing.compiled import CompiledConfig, CompiledPipeline
from leadflow.routing.decision import Exclusion, StickyCheck, Via
from leadflow.routing.eligibility import owner_exclusion, unknown_agent


def sticky_check(
    lead: RoutableLead,
    pipeline: CompiledPipeline,
    roster: RosterView,
    config: CompiledConfig,
    now: datetime,
) -> StickyCheck | None:
    """None unless the lead is a repeat with an owner and `pipeline` keeps repeats sticky.

    The owner (and a backup) must pass status, availability and caps; language, skill and pool
    membership do not apply, because the contact already belongs to them.
    """
    owner = lead.previous_owner
    if not (lead.is_repeat and owner and pipeline.sticky):
        return None
    away = _exclusion(owner, roster, config, now)
    if away is None:
        return StickyCheck(
            owner, None, None, None, Via.STICKY, Reason("sticky.owner", {"owner": owner})
        )
    backup = _backup_of(owner, config)
    if pipeline.when_owner_away is OwnerAway.BACKUP and backup is not None:
        return _try_backup(owner, away, backup, roster, config, now)
    code = (
        "sticky.policy_pool" if pipeline.when_owner_away is OwnerAway.POOL else "sticky.no_backup"
    )
    why = Reason(code, {"owner": owner, "away": away.words})
    return StickyCheck(owner, away, None, None, Via.POOL, why)


def _try_backup(
    owner: str,
    away: Exclusion,
    backup: str,
    roster: RosterView,
    config: CompiledConfig,
    now: datetime,
) -> StickyCheck:
    backup_away = _exclusion(backup, roster, config, now)
    params: dict[str, Param] = {"owner": owner, "away": away.words, "backup": backup}
    if backup_away is None:
        return StickyCheck(owner, away, backup, None, Via.BACKUP, Reason("sticky.backup", params))
    params["backup_away"] = backup_away.words
    why = Reason("sticky.both_away", params)
    return StickyCheck(owner, away, backup, backup_away, Via.POOL, why)


def _backup_of(owner: str, config: CompiledConfig) -> str | None:
    agent = config.agents.get(owner)
    return None if agent is None else agent.backup


def _exclusion(
    key: str, roster: RosterView, config: CompiledConfig, now: datetime
) -> Exclusion | None:
    agent = config.agents.get(key)
    if agent is None:
        return unknown_agent(key)
    return owner_exclusion(agent, roster.agent(key), now)
