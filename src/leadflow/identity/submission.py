"""A submission read and normalised (pure): every field checked, every bad one named at once;
country and language inferred with where each came from; the contact's identity keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from leadflow.domain.submission import LeadSubmission, LeadValues
from leadflow.identity.attribution import ATTRIBUTION_KEYS, merge_attribution
from leadflow.identity.country import normalise_country
from leadflow.identity.email import normalise_email
from leadflow.identity.errors import FieldErrors, InvalidField, InvalidLead
from leadflow.identity.keys import contact_keys
from leadflow.identity.language import infer_language
from leadflow.identity.phone import normalise_phone, normalise_whatsapp_id


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

    values: LeadValues
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
    values: LeadValues = {
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
        "utm_source": attribution.get("utm_source"),
        "utm_medium": attribution.get("utm_medium"),
        "utm_campaign": attribution.get("utm_campaign"),
        "utm_content": attribution.get("utm_content"),
        "utm_term": attribution.get("utm_term"),
        "gclid": attribution.get("gclid"),
        "gbraid": attribution.get("gbraid"),
        "wbraid": attribution.get("wbraid"),
        "ctwa_clid": attribution.get("ctwa_clid"),
        "fbclid": attribution.get("fbclid"),
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


def _attribution_fields(submission: LeadSubmission) -> dict[str, str | None]:
    return {name: getattr(submission, name) for name in ATTRIBUTION_KEYS}


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
