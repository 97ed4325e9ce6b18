"""The one place a lead's stage changes: by a person, an integration, a CRM or an automation.

A move fills the fields it is given, checks the move (`leadflow.workflow.stages`), records a
`stage_change` activity saying who moved it from where to where and why, closes or reopens the
lead (won and lost free a place under the owner's open-leads cap), then fires the automations
that listen for the stage being entered, in the same transaction. A refused move raises
`MoveRefused` naming each problem; the caller does not commit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.configuration import StageType
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.workflow import automation, states
from leadflow.services.workflow.fields import set_fields
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import Actor, ActorKind
from leadflow.workflow.gaps import LEAD_COLUMNS
from leadflow.workflow.stages import Problem, check_move


class MoveRefused(ValueError):
    """A stage change that is not allowed; `problems` name each reason."""

    def __init__(self, lead_id: int, problems: list[Problem]) -> None:
        super().__init__(
            f"lead {lead_id} cannot move: " + "; ".join(f"{p.field}: {p.message}" for p in problems)
        )
        self.lead_id = lead_id
        self.problems = problems


@dataclass(frozen=True)
class Moved:
    lead: Lead
    from_stage: str | None
    to_stage: str
    activity: Activity | None
    """The `stage_change` recorded; None when the lead was in the stage already."""

    @property
    def closed(self) -> bool:
        return self.lead.closed_at is not None


async def move(
    store: Store,
    organisation: Organisation,
    lead_id: int,
    to_stage: str,
    *,
    lost_reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    actor: Actor,
    now: datetime,
    depth: int = 0,
) -> Moved:
    """Move the lead (locked) to `to_stage`, with `fields` set first (a form that prompts for
    the stage's required fields sends them with the move). The caller has checked the actor
    may see the lead, and commits."""
    lead = await store.leads.get(lead_id, for_update=True)
    if lead is None:
        raise UnknownLead(lead_id)
    configuration = organisation.configuration
    if fields:
        set_fields(configuration, lead, fields)
    previous = lead.stage_key
    if previous == to_stage and lead.lost_reason == lost_reason:
        return Moved(lead, previous, to_stage, None)
    pipeline = automation.pipeline_of(organisation, lead)
    problems = check_move(
        configuration, pipeline, values_of(lead), lead.custom or {}, to_stage, lost_reason
    )
    if problems:
        raise MoveRefused(lead.id, problems)
    assert pipeline is not None
    stage = pipeline.stage(to_stage)
    assert stage is not None
    activity = await _record(store, organisation, lead, to_stage, lost_reason, actor, now)
    lead.stage_key = to_stage
    lead.stage_entered_at = now
    lead.lost_reason = lost_reason if stage.type is StageType.LOST else None
    if actor.kind is not ActorKind.AUTOMATION:
        lead.last_activity_at = now
    await open_or_close(store, lead, closing=stage.closes, now=now)
    event = automation.Event(
        kind="stage_entered",
        key=f"stage:{activity.id}",
        lead=states.state_of(lead),
        at=now,
        stage=to_stage,
        depth=depth,
    )
    await automation.fire(store, organisation, event)
    return Moved(lead, previous, to_stage, activity)


def values_of(lead: Lead) -> dict[str, Any]:
    """The lead's built-in fields' columns, as `check_move` reads them."""
    return {column: getattr(lead, column) for column in LEAD_COLUMNS.values()}


async def _record(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    to_stage: str,
    lost_reason: str | None,
    actor: Actor,
    now: datetime,
) -> Activity:
    return await store.leads.add_activity(
        {
            "lead_id": lead.id,
            "agent_key": actor.agent_key or lead.owner_agent_key,
            "kind": "stage_change",
            "occurred_at": now,
            "detail": {"from": lead.stage_key, "to": to_stage, "by": actor.name},
            "actor_kind": actor.kind.value,
            "actor": actor.name,
            "rule_key": actor.rule_key,
            "config_version_id": actor.config_version_id or organisation.version,
            "from_stage": lead.stage_key,
            "to_stage": to_stage,
            "lost_reason": lost_reason,
        }
    )


async def open_or_close(store: Store, lead: Lead, *, closing: bool, now: datetime) -> None:
    """Close the lead (won, lost) or reopen it; its owner's open count follows, which is what
    frees (or takes) a place under the open-leads cap."""
    was_open = lead.closed_at is None
    if closing == (not was_open):
        return
    lead.closed_at = now if closing else None
    if lead.owner_agent_key is not None:
        await store.roster.change_open(lead.owner_agent_key, -1 if closing else 1)
