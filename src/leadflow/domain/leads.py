"""The lead as the pure core sees it: normalised, with its contact's history already resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    GOOGLE_ADS = "google_ads"
    META_LEAD_ADS = "meta_lead_ads"
    WEBSITE = "website"
    WHATSAPP = "whatsapp"
    PHONE = "phone"
    IMPORT = "import"
    API = "api"
    OTHER = "other"


ROUTABLE_FIELDS = (
    "source", "country", "language", "treatment", "budget", "currency", "score",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "campaign_id", "adset_id", "ad_id", "phone_e164", "email", "locale", "is_repeat",
)  # fmt: skip
"""Fields a rule condition may name directly (besides `custom.NAME`, `time_of_day`, `weekday`)."""


@dataclass(frozen=True)
class RoutableLead:
    """What routing needs to know about one lead; built by the service from the stored lead."""

    received_at: datetime
    source: str
    country: str | None = None
    language: str | None = None
    treatment: str | None = None
    budget: float | None = None
    currency: str | None = None
    score: float | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None
    campaign_id: str | None = None
    adset_id: str | None = None
    ad_id: str | None = None
    phone_e164: str | None = None
    email: str | None = None
    locale: str | None = None
    custom: Mapping[str, Any] = field(default_factory=dict)
    is_repeat: bool = False
    previous_owner: str | None = None
    """Agent key of the contact's most recent lead, for sticky routing of repeats."""
    priority: int = 0
    """Higher is served first from a queue."""
    id: int | None = None

    def __init__(
        self,
        received_at: datetime,
        source: str,
        country: str | None = None,
        language: str | None = None,
        treatment: str | None = None,
        budget: float | None = None,
        currency: str | None = None,
        score: float | None = None,
        utm_source: str | None = None,
        utm_medium: str | None = None,
        utm_campaign: str | None = None,
        utm_content: str | None = None,
        utm_term: str | None = None,
        campaign_id: str | None = None,
        adset_id: str | None = None,
        ad_id: str | None = None,
        phone_e164: str | None = None,
        email: str | None = None,
        locale: str | None = None,
        custom: Mapping[str, Any] | None = None,
        is_repeat: bool = False,
        previous_owner: str | None = None,
        priority: int = 0,
        id: int | None = None,
    ) -> None:
        # Written out so that mypyc compiles it (docs/decisions/0006).
        object.__setattr__(self, "received_at", received_at)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "treatment", treatment)
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "utm_source", utm_source)
        object.__setattr__(self, "utm_medium", utm_medium)
        object.__setattr__(self, "utm_campaign", utm_campaign)
        object.__setattr__(self, "utm_content", utm_content)
        object.__setattr__(self, "utm_term", utm_term)
        object.__setattr__(self, "campaign_id", campaign_id)
        object.__setattr__(self, "adset_id", adset_id)
        object.__setattr__(self, "ad_id", ad_id)
        object.__setattr__(self, "phone_e164", phone_e164)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "locale", locale)
        object.__setattr__(self, "custom", {} if custom is None else custom)
        object.__setattr__(self, "is_repeat", is_repeat)
        object.__setattr__(self, "previous_owner", previous_owner)
        object.__setattr__(self, "priority", priority)
        object.__setattr__(self, "id", id)

    def with_history(self, is_repeat: bool, previous_owner: str | None) -> RoutableLead:
        """This lead with another contact history (a replay rebuilds it as it goes): what
        `dataclasses.replace` does, compiled (replay's most frequent copy)."""
        return RoutableLead(
            self.received_at,
            self.source,
            self.country,
            self.language,
            self.treatment,
            self.budget,
            self.currency,
            self.score,
            self.utm_source,
            self.utm_medium,
            self.utm_campaign,
            self.utm_content,
            self.utm_term,
            self.campaign_id,
            self.adset_id,
            self.ad_id,
            self.phone_e164,
            self.email,
            self.locale,
            self.custom,
            is_repeat,
            previous_owner,
            self.priority,
            self.id,
        )

    def value_of(self, name: str) -> Any:
        """The value a rule condition on `name` sees; None when the lead has no such value."""
        if name.startswith("custom."):
            return self.custom.get(name.removeprefix("custom."))
        if name in ROUTABLE_FIELDS:
            return getattr(self, name)
        return None
