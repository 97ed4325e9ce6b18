"""A stored lead as the automation engine sees it."""

from __future__ import annotations

from leadflow.domain.leads import ROUTABLE_FIELDS
from leadflow.storage.tables import Lead
from leadflow.workflow.automation import LeadState
from leadflow.workflow.gaps import LEAD_COLUMNS

READ = tuple(dict.fromkeys((*ROUTABLE_FIELDS, *LEAD_COLUMNS.values())))
"""The lead's columns a condition or a required field may read."""


def state_of(lead: Lead, *, stage: str | None = None, closed: bool | None = None) -> LeadState:
    """`lead` as it is (or at `stage`, open or `closed`, for a replay of its past)."""
    values = {name: getattr(lead, name) for name in READ}
    if values.get("budget") is not None:
        values["budget"] = float(values["budget"])
    return LeadState(
        id=lead.id,
        pipeline=lead.pipeline_key,
        stage=lead.stage_key if stage is None else stage,
        owner=lead.owner_agent_key,
        closed=(lead.closed_at is not None) if closed is None else closed,
        received_at=lead.received_at,
        values=values,
        custom=dict(lead.custom or {}),
        lost_reason=lead.lost_reason if stage is None else None,
    )
