"""Intake: every lead, from every channel, once — normalised, deduplicated, then routed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from leadflow.domain.reasons import Reason
from leadflow.domain.submission import LeadSubmission, LeadValues
from leadflow.identity import InvalidLead
from leadflow.identity.submission import Normalised, normalise
from leadflow.services.assignment.assign import NewLead, Routed, route_new
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.storage.store import ContactDetails, Store, TwinStored
from leadflow.storage.tables import Lead

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Accepted:
    lead: Lead
    created: bool
    """False when (source, external_id) was seen before: the original is returned."""


async def accept(store: Store, submission: LeadSubmission, prepared: NewLead) -> Accepted:
    """Store a prepared lead unrouted (imports), or find the original of an idempotent repeat.
    The caller commits."""
    lead = await store.leads.insert(prepared.values)
    if lead is None:
        return await _original(store, submission)
    return Accepted(lead, created=True)


async def prepare(
    store: Store,
    submission: LeadSubmission,
    *,
    served: frozenset[str],
    threshold: float,
    repeat_window: timedelta,
    now: datetime,
    external_identity: bool = False,
) -> NewLead:
    """Normalise a submission and resolve its contact (locked until the transaction ends).
    Nothing of the lead is stored yet."""
    normalised = normalise(
        submission,
        served=served,
        threshold=threshold,
        now=now,
        external_identity=external_identity,
    )
    return await resolved(store, normalised, repeat_window=repeat_window)


async def resolved(store: Store, normalised: Normalised, *, repeat_window: timedelta) -> NewLead:
    """A normalised lead with its contact resolved (locked until the transaction ends) and
    the lead it repeats."""
    [lead] = await resolved_all(store, [normalised], repeat_window=repeat_window)
    assert lead is not None  # a lead alone shares its person with no other
    return lead


async def resolved_all(
    store: Store, leads: Sequence[Normalised], *, repeat_window: timedelta
) -> list[NewLead | None]:
    """Normalised leads with their contacts resolved (locked until the transaction ends) and
    the leads they repeat: two round trips for any number. None for a lead whose person is
    an earlier one's of `leads` (known by other keys): it must see that lead stored first.

    An idempotent repeat of a stored (source, external_id) is found when it is stored: its
    insert does nothing (rare webhook retries pay for that; every new lead saves asking)."""
    contacts = await store.contacts.resolve_all(
        [(lead.keys, _contact_details(lead.values)) for lead in leads]
    )
    seen: set[int] = set()
    known: list[tuple[int, datetime]] = []
    for lead, (contact_id, created) in zip(leads, contacts, strict=True):
        if contact_id not in seen and not created:
            known.append((contact_id, lead.values["received_at"]))
        seen.add(contact_id)
    # A new contact has no earlier lead; a known one may be writing again now: locked first.
    previous_of = await store.leads.latest_of_contacts(known, locked=True)
    prepared: list[NewLead | None] = []
    taken: set[int] = set()
    for lead, (contact_id, _) in zip(leads, contacts, strict=True):
        if contact_id in taken:
            prepared.append(None)
            continue
        taken.add(contact_id)
        values = lead.values
        previous = previous_of.get(contact_id)
        is_repeat = previous is not None and (
            values["received_at"] - previous.received_at <= repeat_window
        )
        prepared.append(
            NewLead(
                {
                    **values,
                    "contact_id": contact_id,
                    "is_repeat": is_repeat,
                    "repeat_of": previous.id if is_repeat and previous else None,
                },
                previous.owner_agent_key if is_repeat and previous else None,
            )
        )
    return prepared


async def _original(store: Store, submission: LeadSubmission) -> Accepted:
    """The lead a concurrent twin with the same (source, external_id) stored first."""
    original = await store.leads.by_external_id(submission.source, str(submission.external_id))
    assert original is not None
    return Accepted(original, created=False)


def _contact_details(values: LeadValues) -> ContactDetails:
    return ContactDetails(
        first_name=values["first_name"],
        last_name=values["last_name"],
        phone_e164=values["phone_e164"],
        email=values["email"],
        whatsapp_id=values["whatsapp_id"],
        country=values["country"],
        language=values["language"],
    )


@dataclass(frozen=True)
class AssignmentSummary:
    """A lead's latest decision, as an intake answer tells it."""

    decision_id: int
    outcome: str
    agent_key: str | None
    agent_name: str | None
    pipeline: str | None
    rule: str | None
    via: str | None
    reason: str
    """Why, in English."""
    why: Reason | None = None
    """Why, coded, for other languages (None: a decision stored before reasons had codes, or a
    change by hand, whose reason is the words someone typed)."""


@dataclass(frozen=True)
class Ingested:
    lead: Lead
    created: bool
    assignment: AssignmentSummary | None
    """The lead's latest decision (None: not routed yet)."""


async def ingest(
    store: Store,
    submission: LeadSubmission,
    *,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> Ingested:
    """Accept and route one lead (`ingest_many` of one). The caller commits."""
    [result] = await ingest_many(store, [submission], live=live, threshold=threshold, now=now)
    if isinstance(result, InvalidLead):
        raise result
    assert isinstance(result, Ingested), "a lead alone is never set aside"
    return result


class SetAside:
    """A lead of a batch that must be stored after the batch commits, in a transaction of its
    own: it shares a person or its (source, external_id) with an earlier lead of the batch,
    which it must see stored (as the lead it repeats, or as the original)."""


SET_ASIDE = SetAside()


async def ingest_many(
    store: Store,
    submissions: Sequence[LeadSubmission],
    *,
    live: LiveOrganisation,
    threshold: float,
    now: datetime,
) -> list[Ingested | InvalidLead | SetAside]:
    """Accept and route leads that arrived together, in one transaction, as if each had come
    after the one before it. Each gets its own answer: stored and routed, refused with the
    fields that are wrong, or set aside. Routing failures never lose a lead: it is kept
    `unrouted` and retried by the worker. The caller commits.

    Before any configuration is active the leads are kept `unrouted` (no language served yet,
    the default repeat window), visible as waiting, and routed by the worker's next queue pass
    once a configuration is applied: a lead is never refused for want of one."""
    try:
        organisation = await live.get(store)
    except NoConfiguration:
        return await _kept_unrouted(store, submissions, threshold=threshold, now=now)
    results: list[Ingested | InvalidLead | SetAside] = [SET_ASIDE] * len(submissions)
    marks: set[tuple[str, str]] = set()
    candidates: list[tuple[int, LeadSubmission, Normalised]] = []
    for index, submission in enumerate(submissions):
        try:
            normalised = normalise(
                submission, served=organisation.served, threshold=threshold, now=now
            )
        except InvalidLead as invalid:
            results[index] = invalid
            continue
        own = set(normalised.keys)
        if submission.external_id is not None:
            own.add(("lead", f"{submission.source}:{submission.external_id}"))
        if own & marks:
            continue
        marks |= own
        candidates.append((index, submission, normalised))
    prepared = await resolved_all(
        store,
        [normalised for _, _, normalised in candidates],
        repeat_window=organisation.repeat_window,
    )
    batch = [
        (index, submission, lead)
        for (index, submission, _), lead in zip(candidates, prepared, strict=True)
        if lead is not None
    ]
    routed = await _routed(store, organisation, [(s, p) for _, s, p in batch], now)
    for (index, _, _), result in zip(batch, routed, strict=True):
        results[index] = result
    return results


async def _kept_unrouted(
    store: Store, submissions: Sequence[LeadSubmission], *, threshold: float, now: datetime
) -> list[Ingested | InvalidLead | SetAside]:
    results: list[Ingested | InvalidLead | SetAside] = []
    for submission in submissions:
        try:
            normalised = normalise(submission, served=frozenset(), threshold=threshold, now=now)
        except InvalidLead as invalid:
            results.append(invalid)
            continue
        prepared = await resolved(store, normalised, repeat_window=UNCONFIGURED_REPEAT_WINDOW)
        kept = await accept(
            store,
            submission,
            replace(prepared, values={**prepared.values, "routing_status": "unrouted"}),
        )
        results.append(Ingested(kept.lead, kept.created, None))
    return results


UNCONFIGURED_REPEAT_WINDOW = timedelta(days=90)
"""The repeat window before any configuration sets one (the configuration's default)."""


class _Twins(Exception):
    """Leads of a batch whose (source, external_id) was stored already: the decisions after
    them assumed they would be stored, so the others are routed again without them."""

    def __init__(self, positions: set[int]) -> None:
        self.positions = positions


async def _routed(
    store: Store,
    organisation: Organisation,
    batch: Sequence[tuple[LeadSubmission, NewLead]],
    now: datetime,
) -> list[Ingested]:
    """Route and store prepared leads. When routing fails for a batch, each of its leads is
    routed alone, so that only the lead it fails for is kept `unrouted`."""
    if not batch:
        return []
    try:
        async with store.plain_savepoint():
            routed = await route_new(store, organisation, [lead for _, lead in batch], now)
            twins = {position for position, stored in enumerate(routed) if stored is None}
            if twins and len(twins) < len(batch):
                raise _Twins(twins)
    except TwinStored:  # the write carrying the COMMIT refused: again, without carrying it
        return await _routed(store, organisation, batch, now)
    except _Twins as found:
        others = [one for position, one in enumerate(batch) if position not in found.positions]
        stored = iter(await _routed(store, organisation, others, now))
        return [
            await _repeated(store, organisation, await _original(store, submission))
            if position in found.positions
            else next(stored)
            for position, (submission, _) in enumerate(batch)
        ]
    except Exception:
        if len(batch) > 1:
            return [(await _routed(store, organisation, [one], now))[0] for one in batch]
        submission, prepared = batch[0]
        # A routing fault never loses the lead: kept `unrouted`, retried by the worker.
        log.exception("routing failed; lead kept as unrouted", external_id=submission.external_id)
        lead = await store.leads.insert({**prepared.values, "routing_status": "unrouted"})
        if lead is None:
            return [await _repeated(store, organisation, await _original(store, submission))]
        return [Ingested(lead, True, None)]
    results = []
    for (submission, _), outcome in zip(batch, routed, strict=True):
        if outcome is None:
            results.append(await _repeated(store, organisation, await _original(store, submission)))
        else:
            lead, decision = outcome
            results.append(Ingested(lead, True, _summary_of(decision, organisation)))
    return results


async def _repeated(store: Store, organisation: Organisation, original: Accepted) -> Ingested:
    return Ingested(
        original.lead, False, await assignment_summary(store, organisation, original.lead)
    )


def _summary_of(routed: Routed, organisation: Organisation) -> AssignmentSummary:
    decision = routed.decision
    assert routed.decision_id is not None, "a new lead's decision is always recorded"
    agent, via = decision.agent, decision.via.value if decision.via else None
    name = _agent_name(organisation, agent)
    return AssignmentSummary(
        routed.decision_id, decision.outcome, agent, name, decision.pipeline, decision.rule, via,
        decision.reason, decision.why,
    )  # fmt: skip


def _agent_name(organisation: Organisation | None, key: str | None) -> str | None:
    if organisation is None or key is None:
        return None
    agent = next((a for a in organisation.configuration.agents if a.key == key), None)
    return agent.name if agent else None


async def assignment_summary(
    store: Store, organisation: Organisation | None, lead: Lead
) -> AssignmentSummary | None:
    latest = await store.roster.latest_assignment(lead.id)
    if latest is None:
        return None
    trace, agent = latest["trace"], latest["agent_key"]
    coded = trace.get("why")
    why = Reason.from_trace(coded) if coded and trace.get("reason") else None
    return AssignmentSummary(
        latest["id"], latest["outcome"], agent, _agent_name(organisation, agent),
        latest["pipeline_key"], latest["rule_key"], latest["via"],
        str(trace.get("reason") or latest["reason"]), why,
    )  # fmt: skip


async def lead_with_assignment(
    store: Store, lead_id: int, live: LiveOrganisation
) -> tuple[Lead, AssignmentSummary | None] | None:
    lead = await store.leads.get(lead_id)
    if lead is None:
        return None
    try:
        organisation: Organisation | None = await live.get(store)
    except NoConfiguration:
        organisation = None
    return lead, await assignment_summary(store, organisation, lead)
