"""Changing many leads at once: each lead reassigned or moved exactly as it would be alone.

Every lead goes through the same service as the single change (`decisions.reassign` after
`lead_access.check_reassign`, as `POST /leads/{id}/reassign` does; `inbox.change_stage`, i.e.
`stages.move`, as the lead page does), each in a savepoint: a lead that is refused (outside the
viewer's teams, already the agent's, missing the stage's fields…) keeps nothing of its attempt
and is reported with its reason, and the others are done. The caller commits once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from leadflow.services.access.scoping import Forbidden, Viewer
from leadflow.services.assignment import decisions
from leadflow.services.assignment.decisions import AgentCannotTakeLeads, UnknownAgent, UnknownLead
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.work import inbox, lead_access
from leadflow.services.workflow.stages import MoveRefused
from leadflow.storage.store import Store

MAX_LEADS = 500
"""Leads one bulk change takes at most (a page holds fewer)."""


class Refused(StrEnum):
    NOT_FOUND = "not_found"
    """Gone, or outside the viewer's view (the two are not told apart)."""
    OUTSIDE_TEAMS = "outside_teams"
    UNKNOWN_AGENT = "unknown_agent"
    AGENT_LEFT = "agent_left"
    ALREADY_OWNER = "already_owner"
    NOT_IN_PIPELINE = "not_in_pipeline"
    """The stage is not one of the lead's pipeline."""
    NEEDS_LOST_REASON = "needs_lost_reason"
    MISSING_FIELDS = "missing_fields"


@dataclass(frozen=True)
class Refusal:
    lead_id: int
    reason: Refused
    fields: tuple[str, ...] = ()
    """The fields the stage requires that the lead lacks."""


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


@asynccontextmanager
async def _each(store: Store, result: BulkResult, lead_id: int) -> AsyncIterator[None]:
    """One lead's change in a savepoint; a refusal is recorded, not raised."""
    try:
        async with store.savepoint():
            yield
    except UnknownLead:
        result.refused.append(Refusal(lead_id, Refused.NOT_FOUND))
    except Forbidden:
        result.refused.append(Refusal(lead_id, Refused.OUTSIDE_TEAMS))
    except UnknownAgent:
        result.refused.append(Refusal(lead_id, Refused.UNKNOWN_AGENT))
    except AgentCannotTakeLeads as refusal:
        left = "has left and cannot take leads" in str(refusal)
        reason = Refused.AGENT_LEFT if left else Refused.ALREADY_OWNER
        result.refused.append(Refusal(lead_id, reason))
    except MoveRefused as refusal:
        result.refused.append(_refused_move(lead_id, refusal))
    else:
        result.done.append(lead_id)


def _refused_move(lead_id: int, refusal: MoveRefused) -> Refusal:
    fields = tuple(p.field.removeprefix("fields.") for p in refusal.problems if "." in p.field)
    if fields:
        return Refusal(lead_id, Refused.MISSING_FIELDS, fields)
    if any(p.field == "lost_reason" for p in refusal.problems):
        return Refusal(lead_id, Refused.NEEDS_LOST_REASON)
    return Refusal(lead_id, Refused.NOT_IN_PIPELINE)


async def reassign(
    store: Store,
    live: LiveOrganisation,
    viewer: Viewer,
    lead_ids: Sequence[int],
    *,
    agent: str,
    reason: str,
    now: datetime,
) -> BulkResult:
    """Give each lead to `agent`, recorded as a manual reassignment by the viewer."""
    result = BulkResult()
    organisation = await live.get(store)
    for lead_id in lead_ids[:MAX_LEADS]:
        async with _each(store, result, lead_id):
            await lead_access.check_reassign(store, live, viewer, lead_id, agent)
            await decisions.reassign(
                store, organisation, lead_id, agent=agent, actor=viewer.actor, reason=reason,
                now=now,
            )  # fmt: skip
    return result


async def move(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    lead_ids: Sequence[int],
    *,
    stage: str,
    lost_reason: str | None,
    now: datetime,
) -> BulkResult:
    """Move each lead to `stage` of its pipeline, recorded as the viewer's stage change."""
    result = BulkResult()
    for lead_id in lead_ids[:MAX_LEADS]:
        async with _each(store, result, lead_id):
            await inbox.change_stage(
                store, organisation, viewer, lead_id, stage, lost_reason=lost_reason, now=now
            )
    return result
