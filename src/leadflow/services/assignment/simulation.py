"""Simulation without side effects: one lead at a chosen time, or a past period replayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import ATTRIBUTION_KEYS
from leadflow.identity.submission import normalise
from leadflow.routing import Decision, ReplayLead, ReplayReport, replay
from leadflow.services.assignment.assign import decide, routable
from leadflow.services.configuration.organisation import (
    LiveOrganisation,
    Organisation,
    compile_organisation,
)
from leadflow.storage.store import Store

DRAFT = 0
"""Version number shown for a draft configuration that was never applied."""


async def organisation_for(
    store: Store, live: LiveOrganisation, draft: Configuration | None
) -> Organisation:
    return compile_organisation(DRAFT, draft) if draft is not None else await live.get(store)


async def simulate_lead(
    store: Store,
    live: LiveOrganisation,
    submission: LeadSubmission,
    *,
    at: datetime,
    draft: Configuration | None,
    threshold: float,
) -> Decision:
    """Where this lead would go at `at`, with today's loads and the contact's history. Reads
    only: nothing is stored, no counter or strategy state moves."""
    organisation = await organisation_for(store, live, draft)
    normalised = normalise(submission, served=organisation.served, threshold=threshold, now=at)
    values = dict.fromkeys(ATTRIBUTION_KEYS) | normalised.values
    contact = await store.contacts.find(normalised.keys)
    previous = await store.leads.latest_of_contact(contact, at) if contact is not None else None
    is_repeat = previous is not None and at - previous.received_at <= organisation.repeat_window
    owner = previous.owner_agent_key if is_repeat and previous is not None else None
    lead = routable({**values, "is_repeat": is_repeat}, owner)
    return await decide(store, organisation, lead, at, lock=False)


@dataclass(frozen=True)
class PeriodReplay:
    leads: int
    live: ReplayReport
    draft: ReplayReport | None
    live_version: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "leads": self.leads,
            "live_version": self.live_version,
            "live": self.live.to_dict(),
            "draft": self.draft.to_dict() if self.draft else None,
        }


async def replay_period(
    store: Store,
    live: LiveOrganisation,
    *,
    start: datetime,
    end: datetime,
    draft: Configuration | None,
) -> PeriodReplay:
    """Past leads through the live configuration (and a draft), rebuilding loads as they go;
    each report counts where its choices differ from what really happened."""
    history = await store.leads.history_between(start, end)
    items = [
        ReplayLead(
            lead=routable(lead, None),
            closed_at=lead.closed_at,
            actual_agent=agent,
            contact=str(lead.contact_id),
        )
        for lead, agent in history
    ]
    current = await live.get(store)
    live_report = replay(items, current.routing, current.availability)
    draft_report = None
    if draft is not None:
        drafted = compile_organisation(DRAFT, draft)
        draft_report = replay(items, drafted.routing, drafted.availability)
    return PeriodReplay(len(items), live_report, draft_report, current.version)
