"""Simulation without side effects: one lead at a chosen time (a past period: `replays`)."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import ATTRIBUTION_KEYS
from leadflow.identity.submission import normalise
from leadflow.routing import Decision
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
