"""The leads-list scenario: the demo organisation and a handful of leads that differ in one
thing each (status, stage, owner, pipeline, source, campaign, country, language, arrival)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.storage.database import Database
from leadflow.storage.store import ContactDetails, Store
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, ROLES, browser, sign_in


@dataclass(frozen=True)
class Listed:
    """Lead ids by name; `order` newest first."""

    ids: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    @property
    def newest_first(self) -> list[int]:
        return sorted(self.ids.values(), reverse=True)


LEADS: dict[str, dict[str, Any]] = {
    # name: its columns; received one hour apart, in this order (lena oldest)
    "lena": {"owner_agent_key": "anna.schmidt", "pipeline_key": "hair-de", "stage_key": "new",
             "phone_e164": "+4915123456789", "email": "lena.mueller@example.org",
             "source": "website", "utm_campaign": "hair-spring", "country": "DE",
             "language": "de"},
    "jonas": {"owner_agent_key": "jonas.weber", "pipeline_key": "hair-de",
              "stage_key": "contacted", "phone_e164": "+4917699887766",
              "email": "kunde@example.de", "source": "meta_lead_ads", "country": "AT",
              "language": "de"},
    "sarah": {"owner_agent_key": "sarah.jones", "pipeline_key": "hair-en",
              "stage_key": "qualified", "phone_e164": "+447700900123",
              "email": "sarah@example.co.uk", "source": "google_ads",
              "utm_campaign": "hair-uk", "country": "GB", "language": "en"},
    "queued": {"owner_agent_key": None, "pipeline_key": "hair-de", "stage_key": "new",
               "routing_status": "queued", "phone_e164": "+905321234567", "source": "whatsapp",
               "country": "TR", "language": "tr"},
    "omar": {"owner_agent_key": "omar.haddad", "pipeline_key": "hair-ar", "stage_key": "lost",
             "phone_e164": "+971501234567", "email": "omar@example.ae", "source": "phone",
             "country": "AE", "language": "ar"},
}  # fmt: skip
FIRST_NAMES = {"lena": "Lena", "jonas": "Jonas", "sarah": "Sarah", "queued": "Mehmet",
               "omar": "Omar"}  # fmt: skip
LAST_NAMES = {"lena": "Müller", "jonas": "Huber", "sarah": "Jones", "queued": "Yılmaz",
              "omar": "Haddad"}  # fmt: skip


async def add_listed_leads(store: Store, clock: Clock) -> Listed:
    ids = {}
    for n, (name, columns) in enumerate(LEADS.items()):
        received = clock.now - timedelta(hours=len(LEADS) - n)
        ids[name] = await add(store, name, received, columns)
    await store.commit()
    return Listed(ids)


async def add(store: Store, name: str, received: datetime, columns: dict[str, Any]) -> int:
    contact_id, _ = await store.contacts.resolve(
        [("email", f"{name}.{received.timestamp()}@contacts.example")],
        ContactDetails(FIRST_NAMES.get(name, name), "Test", None, None, None, "DE", "de"),
    )
    values = {
        "contact_id": contact_id,
        "received_at": received,
        "first_name": FIRST_NAMES.get(name, name.title()),
        "last_name": LAST_NAMES.get(name, "Test"),
        "country_source": "explicit",
        "language_source": "explicit",
        "routing_status": "assigned" if columns.get("owner_agent_key") else "queued",
        "source": "website",
        **columns,
    }
    lead = await store.leads.insert(values)
    assert lead is not None
    return lead.id


@asynccontextmanager
async def client_as(
    bound: Database, clock: Clock, store: Store, caller: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A JSON client for `caller`: a signed-in role (with the CSRF header) or an API token."""
    async with browser(bound, clock) as client:
        client.headers["accept"] = "application/json"
        if caller in ROLES:
            client.headers["X-CSRF-Token"] = await sign_in(client, EMAILS[caller])
        else:
            issued = await tokens.issue(store, "crm", ALL_SCOPES)
            await store.commit()
            client.headers["Authorization"] = f"Bearer {issued.secret}"
        yield client
