"""Tasks on leads: follow-ups and callbacks, due at a time the patient's time zone may give."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import TaskKind
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead, Task
from leadflow.workflow.actors import Actor


async def add(
    store: Store,
    lead: Lead,
    *,
    title: str,
    kind: TaskKind,
    due_at: datetime,
    due_zone: str | None,
    owner: str | None,
    actor: Actor,
    now: datetime,
) -> Task:
    """A new open task on `lead` (the caller has checked the viewer may see the lead)."""
    return await store.tasks.add(
        {
            "lead_id": lead.id,
            "owner_agent_key": owner,
            "title": title,
            "kind": kind.value,
            "due_at": due_at,
            "due_zone": due_zone,
            "created_at": now,
            "created_by": actor.name,
            "rule_key": actor.rule_key,
            "config_version_id": actor.config_version_id,
        }
    )
