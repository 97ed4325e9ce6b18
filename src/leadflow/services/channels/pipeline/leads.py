"""A lead a channel produced, into intake: once per (source, external id), routed like any
other lead, or, for a vendor's test lead, stored marked and routed to nobody."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import structlog
from pydantic import ValidationError

from leadflow.connectors.inbound import Invalid, LeadIn, Retry
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.channels.pipeline.processors import (
    Channel,
    Event,
    Handled,
    HandlerResult,
    Processing,
)
from leadflow.services.intake import ingest as intake

log = structlog.get_logger(__name__)

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
    return _handled(ingested)


async def deliver_leads(
    processing: Processing, batch: Sequence[tuple[Channel, Event, LeadIn]]
) -> list[HandlerResult]:
    """`deliver_lead` for the leads of a batch of events, stored and routed together by
    intake's batch path (one routing claim for all; decision 0005). Each has its own result:
    a lead intake refuses is Invalid alone; when the batch fails as a whole, each lead is
    tried alone, so that a fault fails only its own event (Retry)."""
    results: list[HandlerResult | None] = [None] * len(batch)
    waiting: list[tuple[int, LeadSubmission]] = []
    for index, (channel, event, lead) in enumerate(batch):
        try:
            submission = submission_of(channel, lead)
        except ValidationError as invalid:
            results[index] = Invalid(_reasons(invalid))
            continue
        if lead.is_test:
            results[index] = await _alone(processing, channel, event, lead)
        else:
            waiting.append((index, submission))
    while waiting:
        try:
            async with processing.store.savepoint():
                answers = await intake.ingest_many(
                    processing.store, [submission for _, submission in waiting],
                    live=processing.live, threshold=processing.threshold, now=processing.now,
                )  # fmt: skip
        except Exception:
            log.warning("a batch of channel leads failed; each is tried alone", exc_info=True)
            for index, _ in waiting:
                results[index] = await _alone(processing, *batch[index])
            break
        # A lead set aside shares a person or an id with an earlier one, now stored: it goes
        # in the next round, where it sees that lead (as intake's next transaction would).
        later = []
        for (index, submission), answer in zip(waiting, answers, strict=True):
            if isinstance(answer, intake.SetAside):
                later.append((index, submission))
            elif isinstance(answer, InvalidLead):
                results[index] = Invalid(str(answer))
            else:
                results[index] = _handled(answer)
        waiting = later
    done = [result for result in results if result is not None]
    assert len(done) == len(batch), "every lead of the batch has its result"
    return done


async def _alone(
    processing: Processing, channel: Channel, event: Event, lead: LeadIn
) -> HandlerResult:
    try:
        async with processing.store.savepoint():
            return await deliver_lead(processing, channel, event, lead)
    except Exception as fault:
        log.exception("channel lead failed", event_id=event.id, connector=channel.key)
        return Retry(f"{type(fault).__name__}: {fault}")


def _handled(ingested: intake.Ingested) -> Handled:
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
