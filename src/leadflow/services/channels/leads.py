"""A lead a channel produced, into intake: once per (source, external id), routed like any
other lead, or, for a vendor's test lead, stored marked and routed to nobody."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from leadflow.connectors.inbound import Invalid, LeadIn
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.channels.processors import Channel, Event, Handled, Processing
from leadflow.services.intake import ingest as intake

TEST_STATUS = "test"
"""The routing status of a vendor's test lead: never routed, not waiting in any queue."""
TEST_NOTE = "test lead from the vendor: stored and marked (custom.is_test), routed to nobody"


def submission_of(channel: Channel, lead: LeadIn) -> LeadSubmission:
    """The submission intake reads: the lead's fields, its custom answers, the connector's
    pipeline hints and the lead's own (custom fields rules can read), the test mark. Raises
    ValidationError naming the fields that are wrong."""
    custom: dict[str, Any] = {**_configured_hints(channel), **lead.hints, **lead.custom}
    custom.setdefault("connector", channel.key)
    if lead.is_test:
        custom["is_test"] = True
    return LeadSubmission.model_validate(
        {**lead.fields, "source": lead.source, "external_id": lead.external_id, "custom": custom}
    )


def _configured_hints(channel: Channel) -> dict[str, str]:
    hints = channel.settings.get("hints") or {}
    return {str(k): str(v) for k, v in hints.items() if v not in (None, "")}


async def deliver_lead(
    processing: Processing, channel: Channel, event: Event, lead: LeadIn
) -> Handled | Invalid:
    """Store and route a channel's lead (idempotent: a second delivery of the same external id
    finds the first lead). A lead intake refuses is Invalid with the fields that are wrong."""
    try:
        submission = submission_of(channel, lead)
    except ValidationError as invalid:
        return Invalid(_reasons(invalid))
    if lead.is_test:
        return await _test_lead(processing, submission)
    try:
        ingested = await intake.ingest(
            processing.store,
            submission,
            live=processing.live,
            threshold=processing.threshold,
            now=processing.now,
        )
    except InvalidLead as refused:
        return Invalid(str(refused))
    summary = ingested.assignment
    note = summary.reason if summary else "stored; routing pending"
    if not ingested.created:
        note = f"already received as lead {ingested.lead.id}: {note}"
    return Handled(lead_id=ingested.lead.id, note=note, detail={"decision": summary})


async def _test_lead(processing: Processing, submission: LeadSubmission) -> Handled | Invalid:
    organisation = await processing.live.get(processing.store)
    try:
        prepared = await intake.prepare(
            processing.store,
            submission,
            served=organisation.served,
            threshold=processing.threshold,
            repeat_window=organisation.repeat_window,
            now=processing.now,
        )
    except InvalidLead as refused:
        return Invalid(str(refused))
    prepared = replace(prepared, values={**prepared.values, "routing_status": TEST_STATUS})
    accepted = await intake.accept(processing.store, submission, prepared)
    return Handled(lead_id=accepted.lead.id, note=TEST_NOTE, detail={"submission": submission})


def _reasons(invalid: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'lead'}: {error['msg']}"
        for error in invalid.errors()
    )
