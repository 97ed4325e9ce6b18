"""The lead page's WhatsApp panel: the conversation, free text inside the 24-hour window, the
approved template outside it (the panel says which and why), in English and Turkish."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from typing import Any

import httpx

from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.test_ui_inbox import ANNA, JONAS, hair_lead, stored
from tests.integration.ui import EMAILS, sign_in

WA_ID = "4915123456789"
REMINDER = "Hallo {{1}}, Ihr Termin ist am {{2}}."
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


async def whatsapp_lead(store: Store, clock: Clock, wrote_ago: timedelta, owner: str = ANNA) -> int:
    """An agent's (Anna's) lead Lena, who wrote on WhatsApp `wrote_ago`; a WhatsApp connector with a
    template."""
    await connectors.create(
        store,
        Vault(os.environ["LEADFLOW_SECRET_KEY"]),
        key="clinic-wa",
        kind="whatsapp",
        name="WhatsApp",
        secrets={"app_secret": "s" * 16, "verify_token": "v" * 16, "access_token": "t" * 16},
        settings={
            "phone_number_id": "1065",
            "template_name": "follow_up",
            "template_language": "de",
            "templates": [{"name": "appointment_reminder", "language": "de", "body": REMINDER}],
        },
    )
    lead_id = await hair_lead(store, clock, owner=owner, name="Lena", due_in=None, age=60 * 30)
    lead = await stored(store, lead_id)
    lead.whatsapp_id = WA_ID
    await store.leads.add_activity({
        "lead_id": lead_id, "kind": "message", "channel": "whatsapp", "direction": "inbound",
        "occurred_at": clock.now - wrote_ago, "agent_key": owner, "actor_kind": "integration",
        "actor": "whatsapp:clinic-wa",
        "detail": {"text": "Wie viel kostet es?", "wamid": "wamid.1", "status": "received"},
    })  # fmt: skip
    await store.commit()
    return lead_id


async def test_inside_the_window_the_agent_writes_freely_and_the_reply_is_queued(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=2))
    token = await sign_in(web, EMAILS["agent"])

    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "Wie viel kostet es?" in page
    assert "The 24-hour window is open until" in page
    sent = await web.post(
        f"/inbox/leads/{lead_id}/whatsapp",
        data={"text": "Guten Tag!", "send": "text", "csrf_token": token},
    )

    assert sent.status_code == 303
    [queued] = [m for m in await store.outbox.listing() if m.channel == "whatsapp"]
    assert (queued.recipient, queued.payload["body"]["text"]["body"]) == ("clinic-wa", "Guten Tag!")
    after = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "WhatsApp message queued for sending." in after
    assert "waiting to be sent" in after


async def test_outside_the_window_free_text_is_refused_and_the_template_offered(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=26))
    token = await sign_in(web, EMAILS["agent"])

    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "The 24-hour window closed at" in page
    assert "Template: “follow_up” (de)" in page
    refused = await web.post(
        f"/inbox/leads/{lead_id}/whatsapp",
        data={"text": "Hallo?", "send": "text", "csrf_token": token},
    )
    assert refused.status_code == 303
    assert (
        "WhatsApp only allows an approved template now."
        in (await web.get(f"/inbox/leads/{lead_id}")).text
    )
    assert not [m for m in await store.outbox.listing() if m.channel == "whatsapp"]

    await web.post(
        f"/inbox/leads/{lead_id}/whatsapp",
        data={"send": "template", "template": "follow_up:de", "csrf_token": token},
    )
    [queued] = [m for m in await store.outbox.listing() if m.channel == "whatsapp"]
    assert queued.payload["body"]["template"]["name"] == "follow_up"


async def test_the_panel_speaks_turkish(web: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=26))
    token = await sign_in(web, EMAILS["agent"])
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})

    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "24 saatlik pencere" in page
    assert "Şablonu gönder" in page


async def test_an_agent_cannot_write_on_another_agents_lead(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=2), owner=JONAS)
    token = await sign_in(web, EMAILS["agent"])

    answer = await web.post(
        f"/inbox/leads/{lead_id}/whatsapp", data={"text": "Hallo", "csrf_token": token}
    )

    assert answer.status_code == 404
    assert not [m for m in await store.outbox.listing() if m.channel == "whatsapp"]


async def test_a_template_shows_one_input_per_variable_prefilled_and_a_preview(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=26))
    token = await sign_in(web, EMAILS["agent"])

    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert 'value="appointment_reminder:de"' in page
    assert 'name="parameters" value="Lena" required' in page
    assert 'name="parameters" value="" required' in page
    assert "Hallo Lena, Ihr Termin ist am {{2}}." in page
    sent = await web.post(
        f"/inbox/leads/{lead_id}/whatsapp",
        data={
            "send": "template",
            "template": "appointment_reminder:de",
            "parameters": ["Lena", "Montag, 9 Uhr"],
            "csrf_token": token,
        },
    )

    assert sent.status_code == 303
    [queued] = [m for m in await store.outbox.listing() if m.channel == "whatsapp"]
    [body] = queued.payload["body"]["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == ["Lena", "Montag, 9 Uhr"]
    after = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "Hallo Lena, Ihr Termin ist am Montag, 9 Uhr." in after


async def test_an_empty_variable_is_refused_and_named(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=26))
    token = await sign_in(web, EMAILS["agent"])

    await web.post(
        f"/inbox/leads/{lead_id}/whatsapp",
        data={
            "send": "template",
            "template": "appointment_reminder:de",
            "parameters": ["Lena", " "],
            "csrf_token": token,
        },
    )

    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "Fill in variable 2 of the template" in page
    assert not [m for m in await store.outbox.listing() if m.channel == "whatsapp"]


async def test_whatsapps_refusal_of_a_template_is_shown_with_its_reason(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=26))
    await store.leads.add_activity({
        "lead_id": lead_id, "kind": "message", "channel": "whatsapp", "direction": "outbound",
        "occurred_at": clock.now, "agent_key": ANNA, "actor_kind": "user",
        "detail": {
            "type": "template", "template": "appointment_reminder", "status": "failed",
            "text": "Hallo Lena, Ihr Termin ist am Montag.", "error_code": 132000,
            "remedy": "give_up",
            "error": "body: number of localizable_params (1) does not match the expected "
            "number of params (2)",
        },
    })  # fmt: skip
    await store.commit()
    await sign_in(web, EMAILS["agent"])

    page = (await web.get(f"/inbox/leads/{lead_id}")).text

    assert "the number of its parameters does not match the approved template" in page
    assert "does not match the expected number of params (2)" in page


async def sent_file(
    store: Store, clock: Clock, lead_id: int, content: bytes, mime_type: str, **media: Any
) -> int:
    """A file the person sent, kept as the inbound job keeps one (its message and its bytes)."""
    activity = await store.leads.add_activity({
        "lead_id": lead_id, "kind": "message", "channel": "whatsapp", "direction": "inbound",
        "occurred_at": clock.now, "actor_kind": "integration", "actor": "whatsapp:clinic-wa",
        "detail": {"type": media["kind"], "status": "received", "wamid": f"wamid.{lead_id}"},
    })  # fmt: skip
    activity_id = activity.id
    media_id = await store.media.add(
        lead_id=lead_id, activity_id=activity_id, channel="whatsapp", vendor_media_id="77",
        mime_type=mime_type, size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, **media,
    )  # fmt: skip
    detail = {
        "type": media["kind"], "status": "received", "wamid": f"wamid.{lead_id}",
        "media": {"id": media_id, "kind": media["kind"], "mime_type": mime_type,
                  "filename": media.get("filename"), "size": len(content)},
    }  # fmt: skip
    await store.conversations.set_detail(activity_id, detail)
    await store.commit()
    return media_id


async def test_a_sent_file_is_shown_and_served_only_to_who_may_see_the_lead(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    mine = await whatsapp_lead(store, clock, wrote_ago=timedelta(hours=1))
    photo = await sent_file(store, clock, mine, PNG, "image/png", kind="image")
    pdf = await sent_file(
        store, clock, mine, b"%PDF-1.4 " * 300, "application/pdf", kind="document",
        filename="Befund.pdf",
    )  # fmt: skip
    other = await hair_lead(store, clock, owner=JONAS, name="Mia", due_in=None)
    theirs = await sent_file(store, clock, other, PNG, "image/png", kind="image")

    anonymous = await web.get(f"/api/v1/leads/{mine}/media/{photo}")
    await sign_in(web, EMAILS["agent"])
    page = (await web.get(f"/inbox/leads/{mine}")).text
    served = await web.get(f"/api/v1/leads/{mine}/media/{photo}")
    refused = await web.get(f"/api/v1/leads/{other}/media/{theirs}")
    crossed = await web.get(f"/api/v1/leads/{mine}/media/{theirs}")

    assert anonymous.status_code == 401
    assert PNG not in anonymous.content
    assert f'<img src="/api/v1/leads/{mine}/media/{photo}"' in page
    assert (
        f'href="/api/v1/leads/{mine}/media/{pdf}" class="message-media message-media-file"' in page
    )
    assert "Befund.pdf</a> <small>(2.6 KB)</small>" in page
    assert (served.status_code, served.content) == (200, PNG)
    assert (refused.status_code, crossed.status_code) == (404, 404)
