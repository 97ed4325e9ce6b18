"""Intake over HTTP on real PostgreSQL: normalisation, dedupe, idempotency, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from leadflow.domain.configuration import Configuration
from leadflow.storage.store import Store
from tests.factories import lead_body
from tests.integration.conftest import Clock

pytestmark = pytest.mark.usefixtures("org")


async def post(client: httpx.AsyncClient, **fields: object) -> httpx.Response:
    return await client.post("/api/v1/leads", json=lead_body(**fields))


async def test_lead_is_normalised_and_stored(client: httpx.AsyncClient, store: Store) -> None:
    response = await post(client, phone="0151 23456789", email=" Lena.Vogel@Example.ORG ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone_e164"] == "+4915123456789"
    assert body["email"] == "lena.vogel@example.org"
    assert body["country"] == "DE"
    assert body["country_source"] == "explicit"
    stored = await store.leads.get(body["id"])
    assert stored is not None
    assert stored.phone_raw == "0151 23456789"


async def test_every_value_is_stored_as_sent(client: httpx.AsyncClient, store: Store) -> None:
    """The lead's row travels to the database as one JSON document: exact decimals, nested
    custom fields, times with their offset and booleans arrive unchanged."""
    custom = {"grafts": 3200, "photos": ["front", "top"], "notes": {"seen": True}, "ratio": 0.1}
    response = await post(
        client,
        budget="12500.55",
        currency="eur",
        consent=False,
        priority=-7,
        created_at="2026-05-04T09:15:30.250+02:00",
        custom=custom,
    )
    assert response.status_code == 201, response.text
    assert response.json()["assignment"] is not None  # stored with its routing decision
    stored = await store.leads.get(response.json()["id"])
    assert stored is not None
    assert stored.budget == Decimal("12500.55")
    assert stored.currency == "EUR"
    assert stored.consent is False
    assert stored.priority == -7
    assert stored.received_at == datetime(2026, 5, 4, 7, 15, 30, 250000, tzinfo=UTC)
    assert stored.custom == custom


async def test_country_comes_from_the_phone_number_when_missing(client: httpx.AsyncClient) -> None:
    body = (await post(client, country=None, phone="+90 532 123 45 67")).json()
    assert body["country"] == "TR"
    assert body["country_source"] == "phone"
    assert body["language"] == "tr"
    assert body["language_source"] == "country"


async def test_language_from_explicit_field_then_locale_then_message(
    client: httpx.AsyncClient,
) -> None:
    explicit = (await post(client, language="EN", locale="de_DE")).json()
    assert (explicit["language"], explicit["language_source"]) == ("en", "explicit")
    locale = (await post(client, locale="ar_SA", email="a@example.org", phone=None)).json()
    assert (locale["language"], locale["language_source"]) == ("ar", "locale")
    detected = (
        await post(
            client,
            phone=None,
            email="b@example.org",
            country="TR",
            message="Здравствуйте, я хотел бы узнать стоимость пересадки волос в вашей клинике",
        )
    ).json()
    assert (detected["language"], detected["language_source"]) == ("ru", "detected")


async def test_attribution_is_read_from_the_landing_url(client: httpx.AsyncClient) -> None:
    url = "https://clinic.example/de/haar?utm_source=google&utm_campaign=haar-de&gclid=Cj0KCQ"
    body = (await post(client, landing_url=url, utm_source="bing")).json()
    assert body["attribution"]["utm_source"] == "bing"  # the body wins over the URL
    assert body["attribution"]["utm_campaign"] == "haar-de"
    assert body["attribution"]["gclid"] == "Cj0KCQ"


async def test_same_external_id_twice_returns_the_original(
    client: httpx.AsyncClient, store: Store
) -> None:
    first = await post(client, source="meta_lead_ads", external_id="l:123")
    again = await post(client, source="meta_lead_ads", external_id="l:123", first_name="Other")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["first_name"] == "Lena"
    assert await store.leads.count() == 1


async def test_a_new_lead_of_a_known_contact_is_a_repeat(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    first = (await post(client, email="one@example.org")).json()
    clock.now += timedelta(days=10)
    by_email = (await post(client, phone="+49 160 5550001", email="ONE@example.org")).json()
    assert by_email["contact_id"] == first["contact_id"]
    assert by_email["is_repeat"] is True
    assert by_email["repeat_of"] == first["id"]


async def test_a_lead_after_the_repeat_window_joins_the_contact_but_is_not_a_repeat(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    first = (await post(client)).json()
    clock.now += timedelta(days=91)
    later = (await post(client)).json()
    assert later["contact_id"] == first["contact_id"]
    assert later["is_repeat"] is False


async def test_whatsapp_id_joins_the_contact_with_the_same_phone_number(
    client: httpx.AsyncClient,
) -> None:
    form = (await post(client, phone="+90 532 123 45 67", email=None)).json()
    chat = (
        await post(client, source="whatsapp", phone=None, email=None, whatsapp_id="905321234567")
    ).json()
    assert chat["contact_id"] == form["contact_id"]
    assert chat["phone_e164"] == "+905321234567"


async def test_every_bad_field_is_named_in_one_422(client: httpx.AsyncClient) -> None:
    response = await post(client, phone="12", country="XX", email="not-an-email")
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert fields == {("body", "country"), ("body", "email"), ("body", "phone")}
    response = await post(client, phone="030 12", country="DE", email="x@example.org")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "phone"]
    assert "DE" in error["msg"]


async def test_a_nul_character_is_refused_with_its_field_named(
    client: httpx.AsyncClient, store: Store
) -> None:
    """PostgreSQL cannot store U+0000 in text or jsonb: a 422, not a failed insert."""
    response = await post(client, message="hello\u0000there", custom={"note": ["a\u0000"]})
    assert response.status_code == 422, response.text
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert set(errors) == {("body", "message"), ("body", "custom")}
    assert "NUL" in errors[("body", "message")]
    assert await store.leads.count() == 0


async def test_a_lead_without_any_contact_is_rejected(client: httpx.AsyncClient) -> None:
    response = await post(client, phone=None, email=None)
    assert response.status_code == 422
    assert "phone, email or whatsapp_id" in response.json()["detail"][0]["msg"]


async def test_unknown_and_mistyped_fields_are_named(client: httpx.AsyncClient) -> None:
    response = await post(client, budget="a lot", favourite_colour="blue")
    assert response.status_code == 422
    fields = {e["loc"][-1] for e in response.json()["detail"]}
    assert fields == {"budget", "favourite_colour"}


async def test_unparseable_body_is_kept_as_a_dead_letter_and_replayable(
    client: httpx.AsyncClient, store: Store
) -> None:
    broken = b'{"phone": "+4915123456789", "email": "x@example.org",'
    response = await client.post(
        "/api/v1/leads", content=broken, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "not valid JSON" in detail["reason"]
    letter = await store.deadletters.get(detail["dead_letter_id"])
    assert letter is not None
    assert letter.body == broken

    from datetime import UTC, datetime

    from leadflow.services.intake.replays import replay_dead_letter

    fixed = broken.rstrip(b",") + b', "country": "DE"}'
    outcome = await replay_dead_letter(
        store, letter.id, body=fixed, threshold=0.6, now=datetime.now(UTC)
    )
    assert "created" in outcome
    assert letter.status == "replayed"
    assert await store.leads.count() == 1


async def test_requests_without_a_valid_token_are_refused(client: httpx.AsyncClient) -> None:
    missing = await client.post("/api/v1/leads", json=lead_body(), headers={"Authorization": ""})
    wrong = await client.post(
        "/api/v1/leads", json=lead_body(), headers={"Authorization": "Bearer lf_nope"}
    )
    assert (missing.status_code, wrong.status_code) == (401, 401)


async def test_website_form_accepts_form_data_from_allowed_origins(
    client: httpx.AsyncClient, store: Store
) -> None:
    from leadflow.storage.tables import WebForm

    await store.forms.add(
        WebForm(
            key="hair-de-landing",
            name="Haartransplantation landing page",
            allowed_origins=["https://haar.clinic.example"],
            defaults={"treatment": "hair_transplant", "country": "DE"},
        )
    )
    await store.commit()
    fields = {"first_name": "Jan", "phone": "0151 76543210", "email": "", "insurance": "private"}
    allowed = await client.post(
        "/api/v1/forms/hair-de-landing",
        data=fields,
        headers={"Origin": "https://haar.clinic.example", "Authorization": ""},
    )
    assert allowed.status_code == 202, allowed.text
    assert allowed.headers["access-control-allow-origin"] == "https://haar.clinic.example"
    reference = allowed.json()["reference"]
    stored = await store.leads.by_external_id("website", f"hair-de-landing:{reference}")
    assert stored is not None
    assert stored.treatment == "hair_transplant"
    assert stored.phone_e164 == "+4915176543210"
    assert stored.custom == {"insurance": "private"}
    denied = await client.post(
        "/api/v1/forms/hair-de-landing", data=fields, headers={"Origin": "https://evil.example"}
    )
    assert denied.status_code == 403
    unknown = await client.post("/api/v1/forms/nope", data=fields)
    assert unknown.status_code == 404


async def test_openapi_documents_the_intake_contract(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/api/v1/leads"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"phone", "email", "whatsapp_id", "gclid", "custom"} <= set(schema["properties"])
    assert {"200", "201", "400", "422"} <= set(operation["responses"])


async def test_readiness_reports_the_active_configuration(
    client: httpx.AsyncClient, org: Configuration
) -> None:
    ready = (await client.get("/readyz")).json()
    assert ready["ready"] is True
    assert ready["configuration_version"] >= 1


async def test_quotes_and_placeholders_in_a_lead_are_stored_as_text(
    client: httpx.AsyncClient, store: Store
) -> None:
    """Intake's statements carry their values as SQL literals (decision 0024): what looks like
    SQL, quoting or a placeholder in a lead is text, stored as it came."""
    hostile = "O'Brien\\'); DROP TABLE leads; -- $1 %s %(batch)s E'\\x27' $$"
    response = await post(
        client, first_name=hostile, message=hostile, custom={hostile: [hostile, "''"]}
    )
    assert response.status_code == 201, response.text
    stored = await store.leads.get(response.json()["id"])
    assert stored is not None
    assert (stored.first_name, stored.message) == (hostile, hostile)
    assert stored.custom == {hostile: [hostile, "''"]}
    assert await store.leads.count() == 1
