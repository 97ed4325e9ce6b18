"""Twilio's voice webhooks end to end: signed requests stored before the answer, then processed
as the job does: an unknown caller's lead, a known caller's call activity with its times, the
missed-call policy both ways, a repeated callback stored once."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from xml.etree.ElementTree import fromstring

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from leadflow.config import Settings
from leadflow.domain.configuration import Configuration
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors, testing
from leadflow.services.channels.vendors import REGISTRY
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.storage.tables import Task
from tests.integration.channels.conftest import process_all
from tests.integration.conftest import Clock

TOKEN = "twilio-auth-token-9c1d"
BASE = "http://leadflow.test/hooks/twilio/clinic-phone"
CALLER = "+905321234567"
CLINIC = "+902121112233"
DESK = "+902125550000"


def signed(url: str, params: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    """Twilio's documented signature, written here from its description: base64 HMAC-SHA1 of
    the URL followed by each parameter's name and value, sorted by name."""
    text = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return {"X-Twilio-Signature": base64.b64encode(digest).decode(), "Authorization": ""}


def rfc2822(at: datetime) -> str:
    return at.strftime("%a, %d %b %Y %H:%M:%S +0000")


async def _connector(store: Store, vault: Vault, **settings: object) -> None:
    await connectors.create(
        store,
        vault,
        key="clinic-phone",
        kind="twilio",
        name="Twilio — Istanbul desk",
        secrets={"auth_token": TOKEN},
        settings={"forward_to": DESK, **settings},
    )
    await store.commit()


@pytest_asyncio.fixture
async def phone(store: Store, vault: Vault, org: Configuration) -> None:
    await _connector(store, vault)


class Call:
    """One inbound call as Twilio reports it: the voice webhook, then the forwarded leg's
    status callbacks."""

    def __init__(self, client: httpx.AsyncClient, clock: Clock, sid: str, caller: str) -> None:
        self.client, self.clock, self.sid, self.caller = client, clock, sid, caller
        self.leg = sid.replace("CA", "CB")

    async def rings(self) -> httpx.Response:
        params = {
            "CallSid": self.sid, "AccountSid": "AC1", "From": self.caller, "To": CLINIC,
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
        }  # fmt: skip
        return await self.client.post(
            f"{BASE}/voice", data=params, headers=signed(f"{BASE}/voice", params)
        )

    async def status(
        self, status: str, after_s: int, duration_s: int | None = None
    ) -> httpx.Response:
        params = {
            "CallSid": self.leg, "ParentCallSid": self.sid, "AccountSid": "AC1",
            "From": self.caller, "To": DESK, "CallStatus": status, "Direction": "outbound-dial",
            "Timestamp": rfc2822(self.clock.now + timedelta(seconds=after_s)),
            "CallbackSource": "call-progress-events", "SequenceNumber": "0",
        }  # fmt: skip
        if duration_s is not None:
            params["CallDuration"] = str(duration_s)
        return await self.client.post(
            f"{BASE}/status", data=params, headers=signed(f"{BASE}/status", params)
        )

    async def answered(self, talk_s: int) -> None:
        assert (await self.rings()).status_code == 200
        assert (await self.status("in-progress", 10)).status_code == 204
        assert (await self.status("completed", 10 + talk_s, talk_s)).status_code == 204

    async def missed(self, status: str = "no-answer") -> None:
        assert (await self.rings()).status_code == 200
        assert (await self.status(status, 25)).status_code == 204


async def _known_lead(client: httpx.AsyncClient) -> int:
    answer = await client.post(
        "/api/v1/leads",
        json={"first_name": "Ayşe", "phone": CALLER, "source": "website", "external_id": "w-1"},
    )
    assert answer.status_code == 201, answer.text
    lead_id: int = answer.json()["id"]
    return lead_id


pytestmark = pytest.mark.usefixtures("phone")


async def test_a_bad_or_missing_signature_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, store: Store
) -> None:
    params = {"CallSid": "CA1", "From": CALLER, "To": CLINIC, "CallStatus": "ringing"}
    forged = await client.post(
        f"{BASE}/voice", data=params, headers=signed(f"{BASE}/voice", params, "guess")
    )
    unsigned = await client.post(f"{BASE}/voice", data=params, headers={"Authorization": ""})
    elsewhere = signed("https://other.example/hooks/twilio/clinic-phone/voice", params)
    other_url = await client.post(f"{BASE}/voice", data=params, headers=elsewhere)
    assert (forged.status_code, unsigned.status_code, other_url.status_code) == (403, 403, 403)
    assert await store.channels.events() == []


async def test_the_call_is_stored_before_it_is_answered_with_a_dial(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    answer = await Call(client, clock, "CA1", CALLER).rings()
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    number = fromstring(answer.text).find("Dial/Number")
    assert number is not None
    assert number.text == DESK
    assert number.get("statusCallback") == f"{BASE}/status"
    [event] = await store.channels.events()
    assert (event.kind, event.vendor_id, event.status) == ("call", "CA1:ringing", "received")
    assert event.payload["From"] == CALLER


async def test_an_unknown_callers_call_starts_a_phone_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    await Call(client, clock, "CA1", CALLER).answered(talk_s=95)
    report = await process_all(bound, vault, clock.now + timedelta(minutes=3))
    assert (report.processed, report.ignored) == (1, 2)
    lead = await store.leads.by_external_id("phone", "CA1")
    assert lead is not None
    assert (lead.phone_e164, lead.country) == (CALLER, "TR")
    assert lead.custom["channel"] == "phone"
    assert lead.custom["call_status"] == "completed"


async def test_a_known_callers_call_is_a_call_activity_with_its_times(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await _known_lead(client)
    await Call(client, clock, "CA2", CALLER).answered(talk_s=95)
    await process_all(bound, vault, clock.now + timedelta(minutes=3))
    [call] = [a for a in await store.leads.activities_of(lead_id) if a.kind == "call"]
    assert (call.direction, call.outcome, call.talk_s, call.wait_s) == (
        "inbound",
        "answered",
        95,
        10,
    )
    assert call.occurred_at == clock.now
    assert call.answered_at == clock.now + timedelta(seconds=10)
    assert call.ended_at == clock.now + timedelta(seconds=105)
    assert (call.actor_kind, call.actor) == ("integration", "twilio:clinic-phone")
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.refresh(lead)
    assert lead.first_contact_at == clock.now  # the integration's time is trusted
    assert await store.leads.by_external_id("phone", "CA2") is None


async def test_a_missed_call_from_a_known_caller_is_a_new_lead_by_default(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await _known_lead(client)
    await Call(client, clock, "CA3", CALLER).missed("busy")
    await process_all(bound, vault, clock.now + timedelta(minutes=1))
    missed = await store.leads.by_external_id("phone", "CA3")
    assert missed is not None
    assert missed.id != lead_id
    assert missed.custom["call_status"] == "busy"


async def test_a_missed_call_is_a_callback_task_on_the_open_lead_when_the_policy_says(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    settings = {"forward_to": DESK, "missed_call": "callback_task"}
    await connectors.update(store, vault, "clinic-phone", settings=settings)
    await store.commit()
    lead_id = await _known_lead(client)
    await Call(client, clock, "CA4", CALLER).missed()
    now = clock.now + timedelta(minutes=1)
    await process_all(bound, vault, now)
    assert await store.leads.by_external_id("phone", "CA4") is None
    [task] = (await store.session.execute(select(Task).where(Task.lead_id == lead_id))).scalars()
    assert (task.kind, task.status) == ("callback", "open")
    assert task.due_at > now
    [call] = [a for a in await store.leads.activities_of(lead_id) if a.kind == "call"]
    assert (call.outcome, call.answered_at, call.talk_s) == ("no_answer", None, 0)
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.refresh(lead)
    assert lead.first_contact_at is None  # nobody spoke to the patient


async def test_a_repeated_callback_is_stored_and_processed_once(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await _known_lead(client)
    call = Call(client, clock, "CA5", CALLER)
    await call.answered(talk_s=30)
    again = await call.status("completed", 40, 30)
    assert again.status_code == 204
    vendor_ids = sorted(e.vendor_id for e in await store.channels.events())
    assert vendor_ids == ["CA5:ringing", "CB5:answered", "CB5:completed"]
    await process_all(bound, vault, clock.now + timedelta(minutes=3))
    await process_all(bound, vault, clock.now + timedelta(minutes=4))
    calls = [a for a in await store.leads.activities_of(lead_id) if a.kind == "call"]
    assert len(calls) == 1


async def test_the_admins_test_event_makes_a_test_lead_routed_to_nobody(
    store: Store, vault: Vault, clock: Clock
) -> None:
    event_id = await testing.receive_test_event(store, REGISTRY, vault, "clinic-phone", clock.now)
    tested = await testing.process_test_event(
        store, REGISTRY, vault, event_id,
        live=LiveOrganisation(recheck_after=0), threshold=Settings().language_confidence,
        now=clock.now,
    )  # fmt: skip
    assert tested.status == "processed", tested.note
    assert tested.lead is not None
    assert (tested.lead.source, tested.lead.routing_status) == ("phone", "test")
    assert tested.lead.custom["is_test"] is True
    assert tested.lead.phone_e164 == "+905550000000"


async def test_behind_a_proxy_that_rewrites_the_host_the_configured_public_url_is_signed(
    client: httpx.AsyncClient, store: Store, vault: Vault
) -> None:
    public = "https://calls.clinic.example"
    settings = {"forward_to": DESK, "public_url": public}
    await connectors.update(store, vault, "clinic-phone", settings=settings)
    await store.commit()
    params = {"CallSid": "CA9", "From": CALLER, "To": CLINIC, "CallStatus": "ringing"}
    as_twilio_called = signed(f"{public}/hooks/twilio/clinic-phone/voice", params)
    answer = await client.post(f"{BASE}/voice", data=params, headers=as_twilio_called)
    assert answer.status_code == 200
    number = fromstring(answer.text).find("Dial/Number")
    assert number is not None
    assert number.get("statusCallback") == f"{public}/hooks/twilio/clinic-phone/status"
    as_we_see_it = signed(f"{BASE}/voice", params)
    assert (
        await client.post(f"{BASE}/voice", data=params, headers=as_we_see_it)
    ).status_code == 403
