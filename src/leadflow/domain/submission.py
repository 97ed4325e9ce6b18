"""A lead as an integration sends it: the submission's fields and their limits (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadflow.domain.storable import StorableJson, StorableText

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
    whatsapp_id: Text = Field(
        default=None,
        max_length=140,
        description="WhatsApp wa_id (digits), or a business-scoped user id (CC.xxxx)",
    )
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
    ctwa_clid: ClickId
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


class LeadValues(TypedDict, total=False):
    """A lead's row as intake stores it (columns of `leads`): what normalisation makes of a
    submission, then its contact and repeat fields."""

    source: str
    external_id: str | None
    received_at: datetime
    first_name: str | None
    last_name: str | None
    phone_raw: str | None
    phone_e164: str | None
    email: str | None
    whatsapp_id: str | None
    country: str | None
    country_source: str
    language: str | None
    language_source: str
    locale: str | None
    message: str | None
    treatment: str | None
    budget: Decimal | None
    currency: str | None
    consent: bool | None
    priority: int
    campaign_id: str | None
    adset_id: str | None
    ad_id: str | None
    landing_url: str | None
    custom: dict[str, Any]
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_content: str | None
    utm_term: str | None
    gclid: str | None
    gbraid: str | None
    wbraid: str | None
    fbclid: str | None
    ctwa_clid: str | None
    contact_id: int
    is_repeat: bool
    repeat_of: int | None
    routing_status: str
