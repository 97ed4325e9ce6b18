"""Overdue tasks: their owners told once per task and due time, then their team leads after
`workflow.escalate_overdue_after_minutes` working minutes of the lead's pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadflow.domain.configuration import Configuration
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead, Task


@dataclass
class Alerted:
    owners: list[int] = field(default_factory=list)
    """Tasks whose owner was told they are overdue."""
    team_leads: list[int] = field(default_factory=list)
    """Tasks escalated to their team's leads."""


async def alert_overdue(
    store: Store, organisation: Organisation, now: datetime, *, limit: int = 500
) -> Alerted:
    """Tell owners about their open tasks past due (once per task and due time), and the team
    lead about those still open `escalate_overdue_after_minutes` working minutes (the lead's
    pipeline's working time) after they fell due."""
    alerted = Alerted()
    for task, lead in await store.tasks.overdue(now, escalated=False, limit=limit):
        if task.owner_agent_key is not None:
            await _alert(store, "task.overdue", "sse", task.owner_agent_key, task, lead)
        task.overdue_alerted_at = now
        alerted.owners.append(task.id)
    delay = organisation.configuration.workflow.escalate_overdue_after_minutes
    for task, lead in await store.tasks.overdue(now, escalated=True, limit=limit):
        if _escalates_at(organisation, lead, task.due_at, delay) > now:
            continue
        team = _team_of(organisation.configuration, task, lead)
        await _alert(store, "task.escalated", "alert", team, task, lead)
        task.escalated_at = now
        alerted.team_leads.append(task.id)
    return alerted


def _escalates_at(organisation: Organisation, lead: Lead, due: datetime, delay: int) -> datetime:
    """`delay` working minutes of the lead's pipeline after `due`; plain minutes for a lead
    without a pipeline (or with one no longer configured)."""
    configured = {pipeline.key for pipeline in organisation.configuration.pipelines}
    if lead.pipeline_key not in configured:
        return due + timedelta(minutes=delay)
    return organisation.add_working_minutes(lead.pipeline_key, due, delay)


def _team_of(configuration: Configuration, task: Task, lead: Lead) -> str | None:
    """The owner's team; for an unowned task, the team of the lead's pipeline."""
    agent = next((a for a in configuration.agents if a.key == task.owner_agent_key), None)
    if agent is not None:
        return agent.team
    pipeline = next((p for p in configuration.pipelines if p.key == lead.pipeline_key), None)
    return pipeline.team if pipeline is not None else None


async def _alert(
    store: Store, topic: str, channel: str, recipient: str | None, task: Task, lead: Lead
) -> None:
    due = task.due_at.isoformat()
    who = task.owner_agent_key or "nobody"
    await store.outbox.add(
        topic=topic,
        channel=channel,
        recipient=recipient,
        payload={
            "task_id": task.id,
            "lead_id": lead.id,
            "title": task.title,
            "agent": task.owner_agent_key,
            "due_at": due,
            "due_zone": task.due_zone,
            "message": f"Task {task.title!r} on lead #{lead.id} ({who}) is overdue since {due}",
        },
        idempotency_key=f"{topic}:{task.id}:{due}",
    )
