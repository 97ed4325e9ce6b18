"""The public website-form endpoint (no token, by design) tells an anonymous caller nothing
stored: not a lead, not whether a person is known, not an agent (issue 14, items 1 and 7)."""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio

from leadflow.config import Settings
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.storage.tables import WebForm
from leadflow.web.app import create_app
from tests.factories import lead_body
from tests.integration.conftest import Clock

pytestmark = pytest.mark.usefixtures("org")

FORM = "/api/v1/forms/landing"
ANONYMOUS = {"Authorization": ""}


@pytest_asyncio.fixture(autouse=True)
async def landing_form(store: Store) -> None:
    await store.forms.add(WebForm(key="landing", name="Landing page", allowed_origins=[]))
    await store.commit()


async def test_a_form_post_is_answered_with_a_receipt_only(client: httpx.AsyncClient) -> None:
    body = {k: v for k, v in lead_body().items() if k != "source"}
    first = await client.post(FORM, json=body, headers=ANONYMOUS)
    assert first.status_code == 202, first.text
    assert set(first.json()) == {"received", "reference"}
    again = await client.post(FORM, json=body, headers=ANONYMOUS)
    assert again.status_code == 202
    assert set(again.json()) == {"received", "reference"}
    assert "Lena" not in again.text
    assert "+4915123456789" not in again.text


async def test_a_form_post_cannot_name_another_channels_lead(
    client: httpx.AsyncClient, store: Store
) -> None:
    """The review's attack: post the (source, external_id) of a Meta lead to read it back. The
    source is refused; the id alone names a new lead of the form's own, and the answer holds
    nothing of the Meta lead."""
    meta = await client.post(
        "/api/v1/leads", json=lead_body(source="meta_lead_ads", external_id="L-1")
    )
    assert meta.status_code == 201
    with_source = {**lead_body(), "source": "meta_lead_ads", "external_id": "L-1"}
    refused = await client.post(FORM, json=with_source, headers=ANONYMOUS)
    assert refused.status_code == 422
    assert "Lena" not in refused.text
    someone_else = {"phone": "+49 151 99999999", "external_id": "L-1"}
    answer = await client.post(FORM, json=someone_else, headers=ANONYMOUS)
    assert answer.status_code == 202
    assert answer.json() == {"received": True, "reference": "L-1"}
    original = await store.leads.by_external_id("meta_lead_ads", "L-1")
    assert original is not None
    assert original.phone_e164 == "+4915123456789"
    assert await store.leads.by_external_id("website", "landing:L-1") is not None


async def test_a_form_post_may_not_set_what_its_form_sets(client: httpx.AsyncClient) -> None:
    posted = {
        **lead_body(),
        "source": "meta_lead_ads",
        "created_at": "2026-05-11T08:00:00Z",
        "priority": 100,
    }
    answer = await client.post(FORM, json=posted, headers=ANONYMOUS)
    assert answer.status_code == 422
    named = {error["loc"][-1] for error in answer.json()["detail"]}
    assert named == {"source", "created_at", "priority"}


async def test_a_retried_form_post_is_one_lead_of_its_own_form(
    client: httpx.AsyncClient, store: Store
) -> None:
    body = {k: v for k, v in lead_body().items() if k != "source"}
    first = await client.post(FORM, json={**body, "external_id": "sub-7"}, headers=ANONYMOUS)
    again = await client.post(FORM, json={**body, "external_id": "sub-7"}, headers=ANONYMOUS)
    assert first.json() == again.json() == {"received": True, "reference": "sub-7"}
    assert await store.leads.count() == 1
    stored = await store.leads.by_external_id("website", "landing:sub-7")
    assert stored is not None


async def test_a_form_post_without_an_id_gets_a_new_reference(
    client: httpx.AsyncClient, store: Store
) -> None:
    body = {k: v for k, v in lead_body().items() if k != "source"}
    reference = (await client.post(FORM, json=body, headers=ANONYMOUS)).json()["reference"]
    assert len(reference) == 32
    assert await store.leads.by_external_id("website", f"landing:{reference}") is not None


async def test_a_huge_anonymous_body_is_refused_and_not_kept(
    client: httpx.AsyncClient, store: Store
) -> None:
    huge = b'{"message": "' + b"x" * 5_000_000 + b'"}'
    answer = await client.post(
        FORM, content=huge, headers={**ANONYMOUS, "content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert await store.deadletters.listing() == []
    metrics = (await client.get("/metrics")).text
    assert 'leadflow_http_refused_total{status="413"}' in metrics


async def test_a_huge_api_body_is_refused(client: httpx.AsyncClient) -> None:
    huge = b'{"message": "' + b"x" * 2_000_000 + b'"}'
    answer = await client.post(
        "/api/v1/leads", content=huge, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413


async def test_one_address_posting_too_often_is_told_to_wait(bound: Database, clock: Clock) -> None:
    app = create_app(Settings(form_posts_per_minute=3), bound, clock=clock, owns_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 4000)),
        base_url="http://leadflow.test",
    ) as anonymous:
        answers = [
            await anonymous.post(FORM, json={"phone": f"+49 151 2345678{i}"}) for i in range(4)
        ]
        assert [a.status_code for a in answers] == [202, 202, 202, 429], answers[0].text
        assert int(answers[-1].headers["retry-after"]) >= 1
        metrics = (await anonymous.get("/metrics")).text
        assert 'leadflow_http_refused_total{status="429"}' in metrics
    other = create_app(Settings(form_posts_per_minute=3), bound, clock=clock, owns_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other, client=("203.0.113.10", 4000)),
        base_url="http://leadflow.test",
    ) as neighbour:
        assert (await neighbour.post(FORM, json={"phone": "+49 151 76543210"})).status_code == 202


async def test_an_oversized_body_is_refused_in_json_even_when_its_size_is_declared(
    client: httpx.AsyncClient,
) -> None:
    for path, size in ((FORM, 17_000), ("/api/v1/leads", 1_100_000)):
        body = b'{"message": "' + b"x" * size + b'"}'
        answer = await client.post(path, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 413, path
        assert answer.headers["content-type"] == "application/json"
        assert "larger than" in answer.json()["detail"]


async def test_an_unreadable_anonymous_post_does_not_count_the_dead_letters(
    client: httpx.AsyncClient, store: Store
) -> None:
    answer = await client.post(
        FORM, content=b"{not json", headers={**ANONYMOUS, "content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert "dead_letter_id" not in answer.text
    assert "not valid JSON" in answer.json()["detail"]["reason"]
    assert len(await store.deadletters.listing()) == 1
