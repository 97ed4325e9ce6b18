"""Response bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from leadflow.locale.catalogs import DEFAULT_LOCALE
from leadflow.locale.speech import say
from leadflow.services.intake.ingest import AssignmentSummary

ATTRIBUTION = (
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "gclid", "gbraid", "wbraid", "fbclid", "ctwa_clid", "campaign_id", "adset_id", "ad_id",
    "landing_url",
)  # fmt: skip


UNAUTHENTICATED: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid bearer token, and no signed-in session"}
}
UNREADABLE: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read (not UTF-8, not JSON)"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such thing, or one outside the caller's view"}
}


class AssignmentOut(BaseModel):
    decision_id: int
    outcome: str = Field(description="assigned, queued, unassigned or no_rule")
    agent_key: str | None
    agent_name: str | None
    pipeline: str | None
    rule: str | None
    via: str | None
    reason: str = Field(
        description="one line saying why, in the caller's language (a signed-in user's "
        "account language; for an API token the `Accept-Language` header, en or tr; English "
        "by default)"
    )

    @classmethod
    def of(cls, summary: AssignmentSummary, locale: str) -> AssignmentOut:
        fields = {name: value for name, value in vars(summary).items() if name != "why"}
        if summary.why is not None and locale != DEFAULT_LOCALE:
            fields["reason"] = say(summary.why, locale)
        return cls(**fields)


class LeadOut(BaseModel):
    id: int
    contact_id: int
    is_repeat: bool
    repeat_of: int | None
    source: str
    external_id: str | None
    received_at: datetime
    first_name: str | None
    last_name: str | None
    phone_e164: str | None
    email: str | None
    whatsapp_id: str | None
    country: str | None
    country_source: str
    language: str | None
    language_source: str
    treatment: str | None
    budget: Decimal | None
    currency: str | None
    attribution: dict[str, str]
    custom: dict[str, Any]
    routing_status: str
    pipeline: str | None
    stage: str | None
    owner: str | None
    assignment: AssignmentOut | None = None

    @classmethod
    def of(
        cls, lead: Any, assignment: AssignmentSummary | None, locale: str = DEFAULT_LOCALE
    ) -> LeadOut:
        return cls(
            id=lead.id,
            contact_id=lead.contact_id,
            is_repeat=lead.is_repeat,
            repeat_of=lead.repeat_of,
            source=lead.source,
            external_id=lead.external_id,
            received_at=lead.received_at,
            first_name=lead.first_name,
            last_name=lead.last_name,
            phone_e164=lead.phone_e164,
            email=lead.email,
            whatsapp_id=lead.whatsapp_id,
            country=lead.country,
            country_source=lead.country_source,
            language=lead.language,
            language_source=lead.language_source,
            treatment=lead.treatment,
            budget=lead.budget,
            currency=lead.currency,
            attribution={k: v for k in ATTRIBUTION if (v := getattr(lead, k))},
            custom=lead.custom,
            routing_status=lead.routing_status,
            pipeline=lead.pipeline_key,
            stage=lead.stage_key,
            owner=lead.owner_agent_key,
            assignment=AssignmentOut.of(assignment, locale) if assignment else None,
        )


class DeadLetterOut(BaseModel):
    dead_letter_id: int
    reason: str
