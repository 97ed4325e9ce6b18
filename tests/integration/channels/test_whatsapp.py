"""WhatsApp Cloud API: signed notifications stored before the 200; a new person starts a lead, a
later message joins it (and fires `message_received`); a business-scoped id alone still makes
one contact; replies inside the 24-hour window as text, outside it as a template, sent through
the outbox to a local Messages API with WhatsApp's error codes; statuses update the message."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pytest_httpserver import HTTPServer

from leadflow.config import Settings
from leadflow.connectors.meta.webhook import signature
from leadflow.notify import Channels
from leadflow.notify.memory import MemoryWebhookSender
from leadflow.services.channels import replies
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.replies import ReplyRefused, WhatsAppReplies
from leadflow.services.channels.setup import connectors, testing
from leadflow.services.channels.vendors import REGISTRY, whatsapp
from leadflow.services.channels.vendors import templates as whatsapp_templates
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.delivery import outbox as delivery
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import Actor, ActorKind
from tests import factories
from tests.fakes.whatsapp import FakeWhatsApp, media_message, status, text_message
from tests.integration.channels.conftest import process_all
from tests.integration.conftest import Clock, activate
from tests.integration.workflow.conftest import workflow_organisation

APP_SECRET = "wa-app-secret-5a1e"
VERIFY_TOKEN = "wa-verify-token-77"
URL = "/hooks/whatsapp/clinic-wa"
AGENT = Actor(ActorKind.USER, "anna@clinic.test", "anna")
REMINDER = "Hallo {{1}}, Ihr Termin ist am {{2}}. Bis dann, {{1}}!"


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeWhatsApp:
    approved = {("follow_up", "de"): 0, ("appointment_reminder", "de"): 2}
    return FakeWhatsApp(httpserver, templates=approved)


@pytest_asyncio.fixture
async def connector(store: Store, vault: Vault, fake: FakeWhatsApp) -> str:
    await connectors.create(
        store,
        vault,
        key="clinic-wa",
        kind="whatsapp",
        name="WhatsApp — clinic",
        secrets={
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "access_token": fake.token,
        },
        settings={
            "phone_number_id": fake.phone_number_id,
            "api_version": fake.version,
            "api_base": fake.api_base,
            "template_name": "follow_up",
            "template_language": "de",
            "templates": [
                {"name": "appointment_reminder", "language": "de", "body": REMINDER},
                # copied wrongly: WhatsApp's has two variables
                {"name": "price_list", "language": "de", "body": "Hallo {{1}}, die Preise."},
            ],
        },
    )
    await store.commit()
    return "clinic-wa"


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


pytestmark = pytest.mark.usefixtures("connector", "org")


async def deliver(client: httpx.AsyncClient, document: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(document).encode()
    headers = {"X-Hub-Signature-256": signature(raw, APP_SECRET)}
    return await client.post(URL, content=raw, headers=headers)


async def received(
    client: httpx.AsyncClient, bound: Database, vault: Vault, clock: Clock, document: dict[str, Any]
) -> None:
    answer = await deliver(client, document)
    assert answer.status_code == 200, answer.text
    await process_all(bound, vault, clock.now)


def at(clock: Clock) -> int:
    return int(clock.now.timestamp())


async def messages_of(store: Store, lead_id: int) -> list[Activity]:
    return [a for a in await store.leads.activities_of(lead_id) if a.kind == "message"]


async def only_lead(store: Store) -> Lead:
    lead_ids = {e.lead_id for e in await store.channels.events() if e.lead_id is not None}
    [lead_id] = lead_ids
    lead = await store.leads.get(lead_id)
    assert lead is not None
    assert lead.source == "whatsapp"
    await store.refresh(lead)
    return lead


async def send_outbox(
    bound: Database, vault: Vault, http: httpx.AsyncClient, later: timedelta = timedelta(0)
) -> delivery.DeliveryReport:
    """A delivery pass, `later` after now (outbox rows are due from the database's clock)."""
    now = datetime.now(UTC) + timedelta(seconds=1) + later
    sender = WhatsAppReplies(bound, vault, http)
    channels = Channels(webhooks=MemoryWebhookSender(), whatsapp=sender)
    return await delivery.deliver_due(
        bound, channels, now=now, live=LiveOrganisation(recheck_after=0)
    )


# --- the webhook ---------------------------------------------------------------------------


async def test_the_handshake_echoes_the_challenge_only_for_our_verify_token(
    client: httpx.AsyncClient,
) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    good = await client.get(URL, params={**query, "hub.verify_token": VERIFY_TOKEN})
    assert (good.status_code, good.text) == (200, "1158201444")
    bad = await client.get(URL, params={**query, "hub.verify_token": "guess"})
    assert bad.status_code == 403


async def test_a_wrongly_signed_or_unsigned_notification_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    raw = json.dumps(text_message("wamid.X", "hi", timestamp=at(clock))).encode()
    wrong_signature = {"X-Hub-Signature-256": signature(raw, "not-the-app-secret")}
    wrong = await client.post(URL, content=raw, headers=wrong_signature)
    missing = await client.post(URL, content=raw)
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert await store.channels.events() == []


async def test_a_new_number_starts_one_lead_with_its_first_message(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    words = "Hallo, was kostet eine Haartransplantation bei Ihnen?"
    await received(
        client, bound, vault, clock, text_message("wamid.N1", words, timestamp=at(clock))
    )

    lead = await only_lead(store)
    assert (lead.whatsapp_id, lead.phone_e164) == ("4915123456789", "+4915123456789")
    assert (lead.first_name, lead.message, lead.language) == ("Lena Vogel", words, "de")
    assert lead.routing_status == "assigned"
    [message] = await messages_of(store, lead.id)
    assert (message.direction, message.channel) == ("inbound", "whatsapp")
    assert message.detail["wamid"] == "wamid.N1"
    assert lead.first_contact_at is None  # the person writing is no contact made by the clinic


async def test_a_second_message_joins_the_lead_fires_message_received_and_reaches_the_owner(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    tell_owner = {
        "key": "wrote-back",
        "trigger": {"event": "message_received", "channel": "whatsapp"},
        "do": [{"do": "notify", "who": "owner", "message": "The patient wrote back"}],
    }
    await activate(store, workflow_organisation(automations=[tell_owner]))
    first = text_message("wamid.J1", "Hallo", timestamp=at(clock))
    await received(client, bound, vault, clock, first)
    clock.now += timedelta(minutes=5)
    second = text_message("wamid.J2", "Sind Sie da?", timestamp=at(clock))
    await received(client, bound, vault, clock, second)

    lead = await only_lead(store)
    assert len(await store.leads.of_contact(lead.contact_id)) == 1
    texts = sorted(m.detail.get("text") for m in await messages_of(store, lead.id))
    assert texts == ["Hallo", "Sind Sie da?"]
    told = [(m.topic, m.recipient) for m in await store.outbox.listing() if m.channel == "sse"]
    assert told.count(("message.received", lead.owner_agent_key)) == 2
    assert ("workflow.notify", lead.owner_agent_key) in told


async def test_a_user_known_only_by_a_business_scoped_id_makes_one_contact(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    bsuid = "DE.1502576394655843"
    first = text_message("wamid.U1", "Guten Tag", wa_id=None, user_id=bsuid, timestamp=at(clock))
    await received(client, bound, vault, clock, first)
    clock.now += timedelta(minutes=1)
    second = text_message("wamid.U2", "Noch da?", wa_id=None, user_id=bsuid, timestamp=at(clock))
    await received(client, bound, vault, clock, second)

    lead = await only_lead(store)
    assert (lead.whatsapp_id, lead.phone_e164) == (bsuid, None)
    assert len(await store.leads.of_contact(lead.contact_id)) == 1
    assert len(await messages_of(store, lead.id)) == 2
    assert await store.contacts.find([("whatsapp", bsuid)]) == lead.contact_id


async def test_a_business_scoped_id_seen_with_a_number_still_finds_the_person_without_it(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    bsuid = "DE.88811122233"
    with_phone = text_message("wamid.P1", "Hallo", user_id=bsuid, timestamp=at(clock))
    await received(client, bound, vault, clock, with_phone)
    clock.now += timedelta(minutes=1)
    withheld = text_message("wamid.P2", "Ich", wa_id=None, user_id=bsuid, timestamp=at(clock))
    await received(client, bound, vault, clock, withheld)

    lead = await only_lead(store)
    assert len(await messages_of(store, lead.id)) == 2


async def test_a_person_who_left_a_form_with_the_number_writes_into_that_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    created = await client.post("/api/v1/leads", json=factories.lead_body())
    assert created.status_code == 201, created.text
    lead_id = created.json()["id"]

    document = text_message("wamid.F1", "Ich habe das Formular ausgefüllt", timestamp=at(clock))
    await received(client, bound, vault, clock, document)

    [message] = await messages_of(store, lead_id)
    assert message.detail["wamid"] == "wamid.F1"
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.refresh(lead)
    assert (lead.source, lead.whatsapp_id) == ("website", "4915123456789")
    assert await replies.conversation(store, lead, clock.now) is not None


async def test_a_message_delivered_twice_is_recorded_once(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    document = text_message("wamid.D1", "Hallo", timestamp=at(clock))
    await received(client, bound, vault, clock, document)
    again = await deliver(client, document)
    assert again.json() == {"stored": 0, "repeated": 1}
    await process_all(bound, vault, clock.now)

    lead = await only_lead(store)
    assert len(await messages_of(store, lead.id)) == 1
    assert len(await store.channels.events()) == 1


async def test_the_click_to_whatsapp_referral_is_the_leads_attribution(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    referral = {"source_url": "https://fb.me/3cr4Wqqkv", "source_id": "120208", "source_type": "ad",
                "headline": "Haartransplantation", "ctwa_clid": "ARAkLkA8rmlFeiCk"}  # fmt: skip
    document = text_message("wamid.R1", "Hallo", referral=referral, timestamp=at(clock))
    await received(client, bound, vault, clock, document)

    lead = await only_lead(store)
    assert (lead.ctwa_clid, lead.ad_id) == ("ARAkLkA8rmlFeiCk", "120208")
    assert lead.custom["referral_headline"] == "Haartransplantation"


# --- replies -------------------------------------------------------------------------------


async def started(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> Lead:
    await received(
        client, bound, vault, clock, text_message("wamid.S0", "Hallo", timestamp=at(clock))
    )
    return await only_lead(store)


async def reply(
    store: Store, lead: Lead | int, clock: Clock, text: str | None = None,
    template: str | None = None,
) -> Activity:  # fmt: skip
    lead_id = lead if isinstance(lead, int) else lead.id
    organisation = await LiveOrganisation(recheck_after=0).get(store)
    recorded = await replies.reply(
        store, organisation, lead_id, text=text, template=template, actor=AGENT, now=clock.now
    )
    await store.commit()
    return recorded.activity


async def test_a_reply_inside_the_window_is_sent_as_text_and_statuses_update_it(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    clock.now += timedelta(hours=2)
    activity = await reply(store, lead, clock, text="Guten Tag! Wann passt ein Anruf?")

    report = await send_outbox(bound, vault, http)

    assert (report.sends, report.dead, report.retrying) == (1, 0, 0)
    [sent] = fake.sent
    assert (sent["to"], sent["type"]) == ("4915123456789", "text")
    assert sent["text"]["body"] == "Guten Tag! Wann passt ein Anruf?"
    await store.refresh(activity)
    assert (activity.direction, activity.detail["status"]) == ("outbound", "accepted")
    assert activity.detail["wamid"] == sent["id"]
    for state in ("delivered", "sent", "read"):
        await received(client, bound, vault, clock, status(sent["id"], state, timestamp=at(clock)))
    await store.refresh(activity)
    assert activity.detail["status"] == "read"
    assert set(activity.detail["status_times"]) == {"sent", "delivered", "read"}


async def test_free_text_outside_the_window_is_refused_and_a_template_is_sent(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead_id = (await started(client, store, bound, vault, clock)).id
    clock.now += timedelta(hours=25)
    with pytest.raises(ReplyRefused) as refused:
        await reply(store, lead_id, clock, text="Hallo?")
    assert refused.value.why == "window_closed"
    await store.rollback()

    await reply(store, lead_id, clock, template="follow_up")
    await send_outbox(bound, vault, http)

    [sent] = fake.sent
    assert sent["type"] == "template"
    assert sent["template"] == {"name": "follow_up", "language": {"code": "de"}}


async def test_a_closed_window_at_whatsapp_is_not_retried_and_asks_for_a_template(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    activity = await reply(store, lead, clock, text="Hallo")
    fake.fail(131047)

    report = await send_outbox(bound, vault, http)

    assert report.dead == 1
    await store.refresh(activity)
    detail = activity.detail
    assert (detail["status"], detail["error_code"], detail["remedy"]) == (
        "failed",
        131047,
        "template",
    )


async def test_throughput_is_retried_with_backoff_and_then_sent(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    activity = await reply(store, lead, clock, text="Hallo")
    fake.fail(130429)

    first = await send_outbox(bound, vault, http)
    assert first.retrying == 1
    await store.refresh(activity)
    assert (activity.detail["status"], activity.detail["error_code"]) == ("retrying", 130429)
    assert (await send_outbox(bound, vault, http)).messages == 0  # not due yet

    later = await send_outbox(bound, vault, http, timedelta(seconds=10))
    assert later.sends == 1
    await store.refresh(activity)
    assert activity.detail["status"] == "accepted"
    assert len(fake.sent) == 1


async def test_an_undeliverable_message_fails_and_says_so(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    activity = await reply(store, lead, clock, text="Hallo")
    fake.fail(131026)

    assert (await send_outbox(bound, vault, http)).dead == 1
    await store.refresh(activity)
    assert (activity.detail["status"], activity.detail["error_code"]) == ("failed", 131026)


async def test_an_expired_token_fails_the_message_until_an_admin_reconnects(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    activity = await reply(store, lead, clock, text="Hallo")
    fake.fail(190)

    assert (await send_outbox(bound, vault, http)).dead == 1
    await store.refresh(activity)
    assert (activity.detail["error_code"], activity.detail["remedy"]) == (190, "reconnect")


async def test_an_expired_token_alerts_the_admins_once_as_for_meta(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient, connector: str,
) -> None:  # fmt: skip
    await store.users.add(email="ops@clinic.test", name="Ops", role="admin")
    await store.users.add(email="lead@clinic.test", name="Team lead", role="team_lead")
    lead = await started(client, store, bound, vault, clock)
    for text in ("Hallo", "Noch da?"):  # a message at a time: one alert for the token
        await reply(store, lead, clock, text=text)
        fake.fail(190)
        await send_outbox(bound, vault, http)

    await store.rollback()
    alerts = [m for m in await store.outbox.listing() if m.topic == connectors.TOKEN_INVALID]
    assert sorted((m.channel, m.recipient) for m in alerts) == [
        ("alert", None),
        ("email", "ops@clinic.test"),
    ]
    assert alerts[0].payload["connector"] == connector
    assert "WhatsApp connector" in alerts[0].payload["message"]
    assert "access token was rejected" in alerts[0].payload["message"]


async def test_a_failed_status_from_whatsapp_marks_the_message_failed(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead = await started(client, store, bound, vault, clock)
    activity = await reply(store, lead, clock, text="Hallo")
    await send_outbox(bound, vault, http)
    [sent] = fake.sent

    failed = status(sent["id"], "failed", error_code=131026, timestamp=at(clock))
    await received(client, bound, vault, clock, failed)

    await store.refresh(activity)
    assert (activity.detail["status"], activity.detail["error_code"]) == ("failed", 131026)


async def test_the_admins_test_event_makes_a_test_lead_routed_to_nobody(
    store: Store, vault: Vault, clock: Clock
) -> None:
    event_id = await testing.receive_test_event(store, REGISTRY, vault, "clinic-wa", clock.now)
    tested = await testing.process_test_event(
        store, REGISTRY, vault, event_id, live=LiveOrganisation(recheck_after=0),
        threshold=Settings().language_confidence, now=clock.now,
    )  # fmt: skip

    assert tested.status == "processed", tested.note
    assert tested.lead is not None
    assert (tested.lead.custom["is_test"], tested.lead.routing_status) == (True, "test")
    assert tested.lead.message == "Test message from Leadflow"
    assert tested.decision is not None


# --- templates with parameters ---------------------------------------------------------------


async def closed_window_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> int:
    lead_id = (await started(client, store, bound, vault, clock)).id
    clock.now += timedelta(hours=30)
    return lead_id


async def test_the_api_lists_the_templates_with_their_parameters_prefilled(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await closed_window_lead(client, store, bound, vault, clock)

    answer = await client.get(f"/api/v1/leads/{lead_id}/whatsapp")

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["mode"] == "template"
    listed = {(t["name"], t["language"]): t for t in found["templates"]}
    reminder = listed[("appointment_reminder", "de")]
    assert (reminder["parameter_count"], reminder["suggested"]) == (2, ["Lena Vogel", ""])
    assert listed[("follow_up", "de")]["parameter_count"] == 0


async def test_a_template_with_parameters_goes_from_the_api_to_whatsapp_in_its_documented_shape(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead_id = await closed_window_lead(client, store, bound, vault, clock)

    answer = await client.post(
        f"/api/v1/leads/{lead_id}/whatsapp",
        json={
            "template": "appointment_reminder",
            "language": "de",
            "parameters": ["Lena", "Dienstag, 10 Uhr"],
        },
    )
    assert answer.status_code == 201, answer.text
    rendered = "Hallo Lena, Ihr Termin ist am Dienstag, 10 Uhr. Bis dann, Lena!"
    assert (answer.json()["status"], answer.json()["text"]) == ("queued", rendered)
    report = await send_outbox(bound, vault, http)

    assert (report.sends, report.dead) == (1, 0)
    [sent] = fake.sent
    assert {k: v for k, v in sent.items() if k not in ("id", "recipient_type")} == {
        "messaging_product": "whatsapp",
        "to": "4915123456789",
        "type": "template",
        "template": {
            "name": "appointment_reminder",
            "language": {"code": "de"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Lena"},
                        {"type": "text", "text": "Dienstag, 10 Uhr"},
                    ],
                }
            ],
        },
    }
    activity = await store.conversations.activity(answer.json()["activity_id"])
    assert activity is not None
    assert (activity.detail["status"], activity.detail["text"]) == ("accepted", rendered)
    assert activity.detail["wamid"] == sent["id"]


async def test_a_wrong_number_of_parameters_or_an_empty_one_is_a_422_naming_the_field(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await closed_window_lead(client, store, bound, vault, clock)
    url = f"/api/v1/leads/{lead_id}/whatsapp"
    template = {"template": "appointment_reminder", "language": "de"}

    too_few = await client.post(url, json={**template, "parameters": ["Lena"]})
    empty = await client.post(url, json={**template, "parameters": ["Lena", "  "]})
    unknown = await client.post(url, json={"template": "nope", "parameters": []})
    neither = await client.post(url, json={"parameters": []})

    assert too_few.status_code == 422
    assert too_few.json()["detail"][0]["loc"] == ["body", "parameters"]
    assert "takes 2 parameters, 1 given" in too_few.json()["detail"][0]["msg"]
    assert (empty.status_code, empty.json()["detail"][0]["loc"]) == (
        422,
        ["body", "parameters", "2"],
    )
    assert (unknown.status_code, unknown.json()["detail"][0]["loc"]) == (422, ["body", "template"])
    assert neither.status_code == 422
    assert not [m for m in await store.outbox.listing() if m.channel == "whatsapp"]


async def test_free_text_outside_the_window_is_a_409_saying_why(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock
) -> None:
    lead_id = await closed_window_lead(client, store, bound, vault, clock)

    answer = await client.post(f"/api/v1/leads/{lead_id}/whatsapp", json={"text": "Hallo?"})

    assert (answer.status_code, answer.json()["detail"]["reason"]) == (409, "window_closed")


async def test_whatsapps_parameter_count_refusal_fails_the_message_with_its_reason_once(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    """The admin copied the template with one variable; WhatsApp's has two: 132000."""
    lead_id = await closed_window_lead(client, store, bound, vault, clock)
    fake.templates[("price_list", "de")] = 2
    answer = await client.post(
        f"/api/v1/leads/{lead_id}/whatsapp",
        json={"template": "price_list", "parameters": ["Lena"]},
    )
    assert answer.status_code == 201, answer.text

    report = await send_outbox(bound, vault, http)
    again = await send_outbox(bound, vault, http, timedelta(hours=1))

    assert (report.dead, report.retrying, again.messages) == (1, 0, 0)
    assert not fake.sent
    activity = await store.conversations.activity(answer.json()["activity_id"])
    assert activity is not None
    detail = activity.detail
    assert (detail["status"], detail["error_code"], detail["remedy"]) == (
        "failed",
        132000,
        "give_up",
    )
    assert "does not match the expected number of params (2)" in detail["error"]
    assert detail["text"] == "Hallo Lena, die Preise."


async def test_a_template_whatsapp_does_not_know_fails_with_132001(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, http: httpx.AsyncClient,
) -> None:  # fmt: skip
    lead_id = await closed_window_lead(client, store, bound, vault, clock)
    del fake.templates[("appointment_reminder", "de")]
    activity = await reply_template(store, lead_id, clock, ["Lena", "Montag"])

    assert (await send_outbox(bound, vault, http)).dead == 1
    await store.refresh(activity)
    assert (activity.detail["status"], activity.detail["error_code"]) == ("failed", 132001)
    assert "does not exist in de" in activity.detail["error"]


async def reply_template(
    store: Store, lead_id: int, clock: Clock, parameters: list[str]
) -> Activity:
    organisation = await LiveOrganisation(recheck_after=0).get(store)
    recorded = await replies.reply(
        store, organisation, lead_id, text=None, template="appointment_reminder",
        parameters=parameters, language="de", actor=AGENT, now=clock.now,
    )  # fmt: skip
    await store.commit()
    return recorded.activity


# --- inbound media ---------------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n" + b"price list " * 300 + b"\n%%EOF\n"


async def test_an_image_is_downloaded_checked_kept_and_served_with_the_message(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp,
) -> None:  # fmt: skip
    fake.add_media("1037543291543636", PNG, "image/png")
    photo = media_message(
        "wamid.IMG1", "image", "1037543291543636", "image/png", caption="So sieht es aus",
        timestamp=at(clock),
    )  # fmt: skip

    await received(client, bound, vault, clock, photo)

    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    media = message.detail["media"]
    assert (media["kind"], media["mime_type"], media["size"]) == ("image", "image/png", len(PNG))
    assert message.detail["text"] == "So sieht es aus"
    kept = await store.media.get(lead.id, media["id"])
    assert kept is not None
    assert (kept.content, kept.sha256) == (PNG, hashlib.sha256(PNG).hexdigest())
    assert (kept.activity_id, kept.vendor_media_id) == (message.id, "1037543291543636")
    served = await client.get(f"/api/v1/leads/{lead.id}/media/{media['id']}")
    assert (served.status_code, served.content) == (200, PNG)
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"].startswith("inline")
    assert "sandbox" in served.headers["content-security-policy"]


async def test_a_document_is_served_as_a_download_with_its_name_and_only_to_the_lead(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp,
) -> None:  # fmt: skip
    fake.add_media("2222", PDF, "application/pdf")
    document = media_message(
        "wamid.DOC1", "document", "2222", "application/pdf", filename="Preisliste März.pdf",
        timestamp=at(clock),
    )  # fmt: skip
    await received(client, bound, vault, clock, document)
    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    media_id = message.detail["media"]["id"]

    served = await client.get(f"/api/v1/leads/{lead.id}/media/{media_id}")
    anonymous = await client.get(
        f"/api/v1/leads/{lead.id}/media/{media_id}", headers={"Authorization": ""}
    )
    other_lead = await client.get(f"/api/v1/leads/{lead.id + 1000}/media/{media_id}")

    assert (served.status_code, served.content) == (200, PDF)
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''Preisliste%20M%C3%A4rz.pdf"
    )
    assert anonymous.status_code == 401
    assert PDF not in anonymous.content
    assert other_lead.status_code == 404


async def test_a_media_fetch_failing_is_retried_with_backoff_then_succeeds(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp,
) -> None:  # fmt: skip
    fake.add_media("3333", PNG, "image/png")
    fake.fail_media(131000)  # "Something went wrong" (HTTP 500): try again
    await received(
        client, bound, vault, clock,
        media_message("wamid.IMG2", "image", "3333", "image/png", timestamp=at(clock)),
    )  # fmt: skip
    [event] = await store.channels.events()
    assert (event.status, event.lead_id) == ("retrying", None)
    assert "131000" in (event.last_error or "")
    await store.rollback()  # read the event again after the next run

    clock.now += timedelta(minutes=1)
    report = await process_all(bound, vault, clock.now)

    assert report.processed == 1
    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    assert message.detail["media"]["size"] == len(PNG)
    assert fake.downloads == ["3333"]


async def test_media_that_cannot_be_had_keeps_the_message_marked_unavailable(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp,
) -> None:  # fmt: skip
    await received(  # a media id WhatsApp does not know (any more): no retry helps
        client, bound, vault, clock,
        media_message("wamid.IMG3", "image", "4444", "image/jpeg", caption="Foto",
                      timestamp=at(clock)),
    )  # fmt: skip

    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    assert message.detail["text"] == "Foto"
    assert "id" not in message.detail["media"]
    assert "does not exist" in message.detail["media"]["unavailable"]
    assert not await store.media.of_lead(lead.id)


async def test_media_failing_every_time_is_given_up_but_the_message_is_kept(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp,
) -> None:  # fmt: skip
    fake.fail_media(*[131000] * whatsapp.MEDIA_ATTEMPTS)
    await received(
        client, bound, vault, clock,
        media_message("wamid.VID1", "video", "5555", "video/mp4", timestamp=at(clock)),
    )  # fmt: skip
    for _ in range(whatsapp.MEDIA_ATTEMPTS - 1):
        clock.now += timedelta(hours=1)
        await process_all(bound, vault, clock.now)

    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    unavailable = message.detail["media"]["unavailable"]
    assert unavailable.startswith(f"gave up after {whatsapp.MEDIA_ATTEMPTS} attempts")
    assert "131000" in unavailable


async def test_a_file_over_the_size_cap_is_refused_with_its_reason(
    client: httpx.AsyncClient, store: Store, bound: Database, vault: Vault, clock: Clock,
    fake: FakeWhatsApp, connector: str,
) -> None:  # fmt: skip
    view = await connectors.get(store, connector)
    assert view is not None
    await connectors.update(
        store, vault, connector, settings={**view.settings, "media_max_bytes": 1000}
    )
    await store.commit()
    fake.add_media("6666", PDF, "application/pdf")
    await received(
        client, bound, vault, clock,
        media_message("wamid.DOC2", "document", "6666", "application/pdf", filename="big.pdf",
                      timestamp=at(clock)),
    )  # fmt: skip

    lead = await only_lead(store)
    [message] = await messages_of(store, lead.id)
    assert "larger than 1000 bytes" in message.detail["media"]["unavailable"]
    assert message.detail["media"]["filename"] == "big.pdf"
    assert fake.downloads == []


async def test_the_approved_templates_are_pulled_from_whatsapp_manager(
    store: Store, vault: Vault, fake: FakeWhatsApp,
    http: httpx.AsyncClient, connector: str,
) -> None:  # fmt: skip
    def listed(name: str, status: str, *components: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "language": "de", "status": status, "category": "UTILITY",
                "components": list(components), "id": str(abs(hash(name)))}  # fmt: skip

    fake.manager = [
        listed("appointment_reminder", "APPROVED", {"type": "BODY", "text": REMINDER}),
        listed("welcome", "APPROVED", {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}"},
               {"type": "BODY", "text": "Welcome!"}),
        listed("offer_draft", "PENDING", {"type": "BODY", "text": "Offer {{1}}"}),
        listed("thanks", "APPROVED", {"type": "BODY", "text": "Danke, {{1}}!"},
               {"type": "FOOTER", "text": "Ihre Klinik"}),
    ]  # fmt: skip
    view = await connectors.get(store, connector)
    assert view is not None
    settings = {**view.settings, "waba_id": fake.waba_id}
    await connectors.update(store, vault, connector, settings=settings)

    pulled = await whatsapp_templates.pull(store, vault, connector, http)
    await store.commit()

    assert [(t.name, t.parameter_count) for t in pulled.kept] == [
        ("appointment_reminder", 2),
        ("thanks", 1),
    ]
    assert [reason.split(":")[0] for reason in pulled.left_out] == [
        "welcome (de)",
        "offer_draft (de)",
    ]
    row = await store.channels.connector(connector)
    assert row is not None
    await store.refresh(row)
    assert [t["name"] for t in row.settings["templates"]] == ["appointment_reminder", "thanks"]


async def test_pulling_templates_with_a_refused_token_says_why(
    store: Store, vault: Vault, fake: FakeWhatsApp, http: httpx.AsyncClient, connector: str
) -> None:
    view = await connectors.get(store, connector)
    assert view is not None
    settings = {**view.settings, "waba_id": fake.waba_id}
    await connectors.update(
        store, vault, connector, settings=settings, secrets={"access_token": "old-token-9"}
    )

    with pytest.raises(whatsapp_templates.TemplatesUnavailable) as refused:
        await whatsapp_templates.pull(store, vault, connector, http)
    assert "WhatsApp error 190" in str(refused.value)
