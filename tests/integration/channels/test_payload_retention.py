"""Retention of raw inbound payloads: a processed event's delivery (personal data) is blanked once
older than the retention; dead and waiting events keep theirs for a replay; the lead stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from leadflow.config import Settings
from leadflow.connectors import google_ads
from leadflow.domain.configuration import Configuration
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import events
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from tests.integration.channels.conftest import GOOGLE_KEY, process_all
from tests.integration.conftest import Clock

URL = "/hooks/google-ads/clinic-google"
KEEP = timedelta(days=Settings().inbound_payload_days)

pytestmark = pytest.mark.usefixtures("google_connector", "org")


def delivery(lead_id: str, email: str | None) -> dict[str, Any]:
    body = google_ads.sample(lead_id=lead_id, google_key=GOOGLE_KEY, is_test=False)
    columns = [{"column_name": "Full Name", "string_value": "Lena Vogel", "column_id": "FULL_NAME"}]
    if email:
        columns.append({"column_name": "Email", "string_value": email, "column_id": "EMAIL"})
    return {**body, "user_column_data": columns}


async def _received(
    client: httpx.AsyncClient, bound: Database, vault: Vault, clock: Clock, lead_id: str,
    email: str | None,
) -> None:  # fmt: skip
    assert (await client.post(URL, json=delivery(lead_id, email))).status_code == 200
    await process_all(bound, vault, clock.now)


async def test_processed_payloads_past_retention_are_blanked_and_the_rest_kept(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    org: Configuration,
) -> None:  # fmt: skip
    await _received(client, bound, vault, clock, "old-lead", "lena@example.org")
    await _received(client, bound, vault, clock, "old-dead", None)  # no way to reach: dead
    clock.now += KEEP
    await _received(client, bound, vault, clock, "new-lead", "omar@example.org")
    clock.now += timedelta(hours=1)

    blanked = await events.forget_payloads(store, keep=KEEP, now=clock.now)
    await store.commit()

    assert blanked == 1
    found = {e.vendor_id: e for e in await events.listing(store)}
    assert {key: e.status for key, e in found.items()} == {
        "old-lead": "processed", "old-dead": "dead", "new-lead": "processed",
    }  # fmt: skip
    for event in found.values():
        await store.refresh(event)
    assert found["old-lead"].payload == {}
    assert found["old-dead"].payload["lead_id"] == "old-dead"
    assert found["new-lead"].payload["lead_id"] == "new-lead"
    lead = await store.leads.by_external_id("google_ads", "old-lead")
    assert lead is not None
    assert lead.email == "lena@example.org"
    assert await events.forget_payloads(store, keep=KEEP, now=clock.now) == 0
