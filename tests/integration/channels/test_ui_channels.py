"""Administration → Channels: add a connector (its secret never shown again), map a question,
see its health, send a test event and replay a dead event; only administrators."""

from __future__ import annotations

import httpx

from leadflow.storage.store import Store
from tests.integration.ui import EMAILS, Scenario, sign_in

SECRET = "google-secret-key-ZYXW"


def new_connector(token: str, **overrides: object) -> dict[str, object]:
    return {
        "csrf_token": token,
        "kind": "google_ads",
        "key": "hair-google",
        "name": "Google — hair",
        "secret_google_key": SECRET,
        "map_form": ["*", "*"],
        "map_question": ["QUESTION_1", ""],
        "map_field": ["custom.procedure", ""],
        "hint_name": ["campaign", ""],
        "hint_value": ["spring", ""],
        "other_settings": "",
        **overrides,
    }


async def test_an_admin_adds_a_connector_whose_secret_is_shown_as_a_hint_only(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await web.post("/admin/channels", data=new_connector(token))
    assert answer.status_code == 303
    page = await web.get("/admin/channels/hair-google")
    assert page.status_code == 200
    assert "…ZYXW" in page.text
    assert SECRET not in page.text
    assert "/hooks/google-ads/hair-google" in page.text
    assert 'value="custom.procedure"' in page.text
    row = await store.channels.connector("hair-google")
    assert row is not None
    assert row.secrets is not None
    assert SECRET.encode() not in row.secrets
    listing = await web.get("/admin/channels")
    assert 'data-connector="hair-google"' in listing.text


async def test_saving_with_an_empty_secret_keeps_the_stored_one(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post("/admin/channels", data=new_connector(token))
    edited = new_connector(token, name="Google — renamed", secret_google_key="", enabled="on")
    answer = await web.post("/admin/channels/hair-google", data=edited)
    assert answer.status_code == 303
    page = await web.get("/admin/channels/hair-google")
    assert "Google — renamed" in page.text
    assert "…ZYXW" in page.text


async def test_a_mapping_to_an_unknown_field_is_refused_naming_it(
    web: httpx.AsyncClient, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = new_connector(token, map_field=["favourite_colour", ""])
    answer = await web.post("/admin/channels", data=data)
    assert answer.status_code == 400
    assert "mappings.*.QUESTION_1" in answer.text
    assert "favourite_colour" in answer.text
    assert SECRET not in answer.text


async def test_a_test_event_shows_its_lead_and_where_routing_would_send_it(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post("/admin/channels", data=new_connector(token))
    answer = await web.post("/admin/channels/hair-google/test", data={"csrf_token": token})
    assert answer.status_code == 200
    assert 'id="test-result"' in answer.text
    assert "routed to nobody" in answer.text
    assert "Where routing would send it now" in answer.text
    assert 'class="test-decision"' in answer.text
    [event] = await store.channels.events(connector_key="hair-google")
    assert event.status == "processed"
    lead = await store.leads.get(event.lead_id or 0)
    assert lead is not None
    assert lead.routing_status == "test"
    assert f'data-lead="{lead.id}"' in answer.text


async def test_a_dead_event_is_listed_with_its_reason_and_replayed(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post("/admin/channels", data=new_connector(token))
    await web.post("/admin/channels/hair-google/test", data={"csrf_token": token})
    [event] = await store.channels.events(connector_key="hair-google")
    await store.channels.mark_event(event.id, status="dead", last_error="user_column_data: bad")
    await store.commit()
    page = await web.get("/admin/channels/hair-google")
    assert "user_column_data: bad" in page.text
    answer = await web.post(f"/admin/channels/events/{event.id}/replay", data={"csrf_token": token})
    assert answer.status_code == 303
    await store.refresh(event)
    assert event.status == "received"


async def test_the_page_speaks_turkish_to_a_turkish_admin(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    await store.users.update(scenario.user_ids["admin"], locale="tr")
    await store.commit()
    await sign_in(web, EMAILS["admin"])
    page = await web.get("/admin/channels")
    assert "Kanallar" in page.text


async def test_a_manager_cannot_open_channels(web: httpx.AsyncClient, scenario: Scenario) -> None:
    await sign_in(web, EMAILS["manager"])
    assert (await web.get("/admin/channels")).status_code == 403


async def test_a_test_events_lead_is_hidden_from_the_admins_lead_lists_and_dashboard(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await web.post("/admin/channels", data=new_connector(token))
    before = (await web.get("/dashboard/live")).text
    tested = await web.post("/admin/channels/hair-google/test", data={"csrf_token": token})
    assert tested.status_code == 200
    [event] = await store.channels.events(connector_key="hair-google")
    lead = await store.leads.get(event.lead_id or 0)
    assert lead is not None
    assert lead.routing_status == "test"

    live = await web.get("/dashboard/live")
    home = await web.get("/")

    assert live.status_code == 200
    assert live.text.count("<tr") == before.count("<tr")
    for page in (live.text, home.text):
        assert f"{lead.first_name} {lead.last_name}" not in page
        assert "Test lead" not in page


async def test_a_whatsapp_connectors_templates_are_entered_as_rows_and_kept_on_saving(
    web: httpx.AsyncClient, scenario: Scenario, store: Store
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    whatsapp = {
        "csrf_token": token, "kind": "whatsapp", "key": "clinic-wa", "name": "WhatsApp",
        "secret_access_token": "EAAG-token-1234", "other_settings": "phone_number_id=1065",
        "template_name_row": ["appointment_reminder", ""],
        "template_language_row": ["de", ""],
        "template_body_row": ["Hallo {{1}}, Ihr Termin ist am {{2}}.", ""],
    }  # fmt: skip
    assert (await web.post("/admin/channels", data=whatsapp)).status_code == 303
    page = (await web.get("/admin/channels/clinic-wa")).text
    assert 'value="appointment_reminder"' in page
    assert "Hallo {{1}}, Ihr Termin ist am {{2}}.</textarea>" in page

    renamed = {**whatsapp, "name": "WhatsApp — clinic", "secret_access_token": "", "enabled": "on"}
    assert (await web.post("/admin/channels/clinic-wa", data=renamed)).status_code == 303
    row = await store.channels.connector("clinic-wa")
    assert row is not None
    await store.refresh(row)
    assert row.settings["templates"] == [
        {"name": "appointment_reminder", "language": "de", "body": whatsapp["template_body_row"][0]}
    ]
    assert row.settings["phone_number_id"] == "1065"

    gap = {**renamed, "template_body_row": ["Hallo {{1}} und {{3}}", ""]}
    refused = await web.post("/admin/channels/clinic-wa", data=gap)
    assert refused.status_code == 400
    assert "templates.0.body" in refused.text
