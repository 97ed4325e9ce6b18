"""Intake: every lead, from every channel, once — normalised, deduplicated, then routed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from leadflow.identity import (
    FieldErrors,
    InvalidField,
    InvalidLead,
    contact_keys,
    infer_language,
    merge_attribution,
    normalise_country,
    normalise_email,
    normalise_phone,
    normalise_whatsapp_id,
)
from leadflow.services.assignment.assign import NewLead, Routed, route_new
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.services.intake.payloads import StorableJson, StorableText
from leadflow.storage.store import ContactDetails, Store
from leadflow.storage.tables import Lead

log = structlog.get_logger(__name__)

Text = StorableText | None
Tracking = Annotated[StorableText | None, Field(default=None, max_length=500)]
ClickId = Annotated[StorableText | None, Field(default=None, max_length=512)]

MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_KEY = 64
MAX_CUSTOM_VALUE = 2_000
"""Characters of one custom field's value (as JSON): room for a long answer, not a file."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""No lead is older than this: an earlier `created_at` is a mistake (or year 1, which broke
every time computed from it)."""


class LeadSubmission(BaseModel):
    """A lead as an integration sends it (`POST /api/v1/leads`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(
        default="api",
        max_length=32,
        pattern=r"^[a-z0-9_]+$",
        description="google_ads, meta_lead_ads, website, whatsapp, phone, import…",
        examples=["meta_lead_ads"],
    )
    external_id: Text = Field(
        default=None,
        max_length=200,
        description="The lead's id at the source; the same (source, external_id) is one lead.",
    )
    first_name: Text = Field(default=None, max_length=200)
    last_name: Text = Field(default=None, max_length=200)
    phone: Text = Field(default=None, max_length=64, examples=["+49 151 23456789"])
    email: Text = Field(default=None, max_length=320)
    whatsapp_id: Text = Field(default=None, max_length=32, description="WhatsApp wa_id (digits)")
    country: Text = Field(
        default=None, max_length=64, description="ISO 3166 alpha-2", examples=["DE"]
    )
    language: Text = Field(default=None, max_length=64, description="ISO 639-1", examples=["de"])
    locale: Text = Field(default=None, max_length=20, description="form locale, e.g. de_DE")
    message: Text = Field(default=None, max_length=10_000)
    treatment: Text = Field(default=None, max_length=64, examples=["hair_transplant"])
    budget: Decimal | None = Field(default=None, ge=0, le=Decimal("999999999999"))
    currency: Text = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    utm_source: Tracking
    utm_medium: Tracking
    utm_campaign: Tracking
    utm_content: Tracking
    utm_term: Tracking
    gclid: ClickId
    gbraid: ClickId
    wbraid: ClickId
    fbclid: ClickId
    campaign_id: Text = Field(default=None, max_length=64)
    adset_id: Text = Field(default=None, max_length=64)
    ad_id: Text = Field(default=None, max_length=64)
    landing_url: Text = Field(default=None, max_length=4000)
    consent: bool | None = Field(default=None, strict=True)
    created_at: datetime | None = Field(
        default=None,
        description="when the lead was created at the source (imports); aware, from 2000 on, "
        "not in the future",
    )
    priority: int = Field(default=0, ge=-100, le=100, strict=True)
    custom: StorableJson = Field(
        default_factory=dict,
        description=f"other answers: at most {MAX_CUSTOM_FIELDS} fields, keys of at most "
        f"{MAX_CUSTOM_KEY} characters, each value at most {MAX_CUSTOM_VALUE} characters as JSON",
    )

    @field_validator("created_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value  # a naive time is named by normalise, with the fix
        try:
            utc = value.astimezone(UTC)
        except OverflowError:
            raise ValueError("is out of range once converted to UTC") from None
        if utc < EARLIEST:
            raise ValueError("is before 2000-01-01: send the time the lead was created")
        return value

    @field_validator("custom")
    @classmethod
    def _bounded(cls, custom: dict[str, Any]) -> dict[str, Any]:
        if len(custom) > MAX_CUSTOM_FIELDS:
            raise ValueError(f"has {len(custom)} fields: at most {MAX_CUSTOM_FIELDS}")
        for key, value in custom.items():
            if len(key) > MAX_CUSTOM_KEY:
                raise ValueError(f"key {key[:20]!r}… is longer than {MAX_CUSTOM_KEY} characters")
            if len(json.dumps(value, ensure_ascii=False)) > MAX_CUSTOM_VALUE:
                raise ValueError(f"{key}: longer than {MAX_CUSTOM_VALUE} characters")
        return custom


def parse_submission(data: dict[str, Any]) -> LeadSubmission:
    """Validate a parsed body; every bad field becomes one InvalidField of an InvalidLead."""
    try:
        return LeadSubmission.model_validate(data)
    except ValidationError as exc:
        raise InvalidLead(
            InvalidField(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
            for e in exc.errors(include_url=False)
        ) from None


CLOCK_SKEW = timedelta(minutes=5)
"""How far a sender's clock may run ahead of ours."""


@dataclass(frozen=True)
class Normalised:
    """A submission after normalisation: what is stored, and where each inference came from."""

    values: dict[str, Any]
    keys: list[tuple[str, str]]
    country_source: str
    language_source: str


def normalise(
    submission: LeadSubmission,
    *,
    served: frozenset[str],
    threshold: float,
    now: datetime,
    external_identity: bool = False,
) -> Normalised:
    """Pure: normalise every field, collecting every bad one into one InvalidLead.

    With `external_identity` (historical imports without contact details), a lead with no
    phone, e-mail or WhatsApp id is identified by its source's own id instead of rejected.
    """
    errors = FieldErrors()
    country = errors.collect(normalise_country, submission.country) if submission.country else None
    phone = errors.collect(normalise_phone, submission.phone, country) if submission.phone else None
    email = errors.collect(normalise_email, submission.email) if submission.email else None
    whatsapp = (
        errors.collect(normalise_whatsapp_id, submission.whatsapp_id)
        if submission.whatsapp_id
        else None
    )
    received_at = submission.created_at or now
    if received_at.tzinfo is None:
        errors.collect(_reject, "created_at", "needs a time zone offset, e.g. 2026-05-01T10:00:00Z")
    elif received_at > now + CLOCK_SKEW:
        errors.collect(_reject, "created_at", "is in the future")
    has_contact = bool(submission.phone or submission.email or submission.whatsapp_id)
    if not has_contact and not (external_identity and submission.external_id):
        errors.collect(_reject, "phone", "a lead needs at least one of phone, email or whatsapp_id")
    errors.raise_if_any()

    country_source = "explicit" if country else "none"
    if country is None:
        whatsapp_region = _region_of(whatsapp.e164, errors) if whatsapp and whatsapp.e164 else None
        country = (phone.region if phone else None) or whatsapp_region
        country_source = "phone" if country else "none"
    language = _language(submission, country, served, threshold)
    attribution = merge_attribution(_attribution_fields(submission), submission.landing_url)
    keys = contact_keys(phone.e164 if phone else None, email, whatsapp.wa_id if whatsapp else None)
    identities: list[tuple[str, str]] = [(k.kind, k.value) for k in keys]
    if not identities:
        identities = [("external", f"{submission.source}:{submission.external_id}")]
    values = {
        "source": submission.source,
        "external_id": submission.external_id,
        "received_at": received_at,
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "phone_raw": submission.phone,
        "phone_e164": phone.e164 if phone else (whatsapp.e164 if whatsapp else None),
        "email": email,
        "whatsapp_id": whatsapp.wa_id if whatsapp else None,
        "country": country,
        "country_source": country_source,
        "language": language.language,
        "language_source": language.source,
        "locale": submission.locale,
        "message": submission.message,
        "treatment": submission.treatment.lower() if submission.treatment else None,
        "budget": submission.budget,
        "currency": submission.currency.upper() if submission.currency else None,
        "consent": submission.consent,
        "priority": submission.priority,
        "campaign_id": submission.campaign_id,
        "adset_id": submission.adset_id,
        "ad_id": submission.ad_id,
        "landing_url": submission.landing_url,
        "custom": submission.custom,
        **attribution,
    }
    return Normalised(
        values=values,
        keys=identities,
        country_source=country_source,
        language_source=language.source,
    )


def _reject(field: str, message: str) -> None:
    raise InvalidField(field, message)


def _region_of(e164: str, errors: FieldErrors) -> str | None:
    number = errors.collect(normalise_phone, e164, None)
    return number.region if number else None


def _language(
    submission: LeadSubmission, country: str | None, served: frozenset[str], threshold: float
) -> Any:
    try:
        return infer_language(
            explicit=submission.language,
            locale=submission.locale,
            message=submission.message,
            country=country,
            served=served,
            threshold=threshold,
        )
    except InvalidField as error:
        raise InvalidLead([error]) from None


_ATTRIBUTION = (
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "gclid", "gbraid", "wbraid", "fbclid",
)  # fmt: skip


def _attribution_fields(submission: LeadSubmission) -> dict[str, str | None]:
    return {name: getattr(submission, name) for name in _ATTRIBUTION}


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
    the leads they repeat: three round trips for any number. None for a lead whose person is
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
    if known:  # a new contact has no earlier lead; a known one may be writing again now
        await store.contacts.lock(contact for contact, _ in known)
    previous_of = await store.leads.latest_of_contacts(known)
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


def _contact_details(values: dict[str, Any]) -> ContactDetails:
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
    `unrouted` and retried by the worker. The caller commits."""
    organisation = await live.get(store)
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
        decision.reason,
    )  # fmt: skip


def _agent_name(organisation: Organisation | None, key: str | None) -> str | None:
    if organisation is None or key is None:
        return None
    agent = next((a for a in organisation.configuration.agents if a.key == key), None)
    return agent.name if agent else None


async def assignment_summary(
    store: Store, organisation: Organisation | None, lead: Lead
) -> AssignmentSummary | None:
    history = await store.roster.assignments_of(lead.id)
    if not history:
        return None
    latest = history[-1]
    agent, reason = latest.agent_key, str(latest.trace.get("reason") or latest.reason)
    name = _agent_name(organisation, agent)
    return AssignmentSummary(
        latest.id, latest.outcome, agent, name, latest.pipeline_key, latest.rule_key, latest.via,
        reason,
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


async def web_form(store: Store, key: str) -> Any:
    return await store.forms.get(key)


_FIELDS = frozenset(LeadSubmission.model_fields)
FORM_SETS = ("source", "created_at", "priority")
"""Fields an anonymous form post may not set: its form's configuration does (a caller could
otherwise pass as another channel, backdate a lead's arrival or jump the queue)."""


def form_fields(data: dict[str, Any], *, form_key: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """A website form's fields as a submission: known fields kept, the rest under `custom`,
    empty strings dropped (browsers send every input), the form's defaults filled in.

    The lead's `external_id` always lies in the form's own namespace (`FORM_KEY:id`, a new
    random id when the page sends none), so a post can only ever repeat a lead of its own
    form, never name another channel's lead."""
    posted = {k: v for k, v in data.items() if v not in ("", None)}
    if refused := [name for name in FORM_SETS if name in posted]:
        raise InvalidLead(
            InvalidField(name, "is set by the form's configuration, not by the page")
            for name in refused
        )
    merged = {**defaults, **posted}
    known = {k: v for k, v in merged.items() if k in _FIELDS and k != "custom"}
    custom = {k: v for k, v in merged.items() if k not in _FIELDS}
    if isinstance(merged.get("custom"), dict):
        custom.update(merged["custom"])
    if isinstance(known.get("consent"), str):
        known["consent"] = known["consent"].lower() in ("1", "true", "yes", "on")
    known.setdefault("source", "website")
    reference = posted.get("external_id")
    if not isinstance(reference, str) or not reference.strip():
        reference = uuid.uuid4().hex
    known["external_id"] = f"{form_key}:{reference.strip()}"
    return {**known, "custom": custom}


def form_reference(external_id: str | None) -> str:
    """What a form post is answered with: its own id within the form, nothing stored."""
    return (external_id or "").partition(":")[2]
