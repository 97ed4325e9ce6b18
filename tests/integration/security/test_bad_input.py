"""Malformed and hostile input: every one a 4xx that names the field, never a 500, and never a
stalled process. Each case is a reproduction from the security review (issue 14, items 2-4)."""

from __future__ import annotations

import json

import httpx
import pytest

from leadflow.storage.store import Store
from tests.factories import lead_body

pytestmark = pytest.mark.usefixtures("org")

JSON = {"content-type": "application/json"}


def _fields(response: httpx.Response) -> list[str]:
    detail = response.json()["detail"]
    if isinstance(detail, dict):  # a dead letter: the reason names the problem
        return [detail["reason"]]
    return [".".join(str(p) for p in error["loc"]) for error in detail]


async def _raw(client: httpx.AsyncClient, body: str) -> httpx.Response:
    content = body.encode("utf-8", "surrogatepass")
    return await client.post("/api/v1/leads", content=content, headers=JSON)


@pytest.mark.parametrize(
    ("body", "field", "named"),
    [
        pytest.param('{"custom": {"n": 1e400}}', "body.custom", "n:", id="infinite-number"),
        pytest.param('{"custom": {"n": NaN}}', "body.custom", "n:", id="nan"),
        pytest.param('{"custom": {"n": -Infinity}}', "body.custom", "n:", id="minus-infinity"),
        pytest.param(
            '{"custom": {"n": ' + "9" * 5000 + "}}", "body.custom", "5000 digits", id="5000-digits"
        ),
        pytest.param('{"custom": {"k": "\\udfff"}}', "body.custom", "k:", id="surrogate-value"),
        pytest.param('{"custom": {"\\udfff": "v"}}', "body.custom", "unicode", id="surrogate-key"),
        pytest.param('{"first_name": "\\ud800x"}', "body.first_name", "unicode", id="surrogate"),
        pytest.param(
            '{"utm_source": "' + "u" * 600 + '"}', "body.utm_source", "500", id="long-utm"
        ),
        pytest.param('{"gclid": "' + "g" * 100_000 + '"}', "body.gclid", "512", id="long-gclid"),
        pytest.param(
            '{"custom": {' + ", ".join(f'"f{i}": {i}' for i in range(200)) + "}}",
            "body.custom",
            "200 fields",
            id="many-custom-fields",
        ),
        pytest.param('{"custom": {"' + "k" * 1000 + '": 1}}', "body.custom", "key", id="long-key"),
        pytest.param(
            '{"custom": {"k": "' + "v" * 5000 + '"}}', "body.custom", "k:", id="long-custom-value"
        ),
    ],
)
async def test_unstorable_or_oversized_values_are_refused_naming_the_field(
    client: httpx.AsyncClient, store: Store, body: str, field: str, named: str
) -> None:
    lead = lead_body()
    fields = ", ".join(f'"{k}": "{v}"' for k, v in lead.items() if k != "first_name")
    document = "{" + fields + ", " + body.strip()[1:]
    response = await _raw(client, document)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][:2] == field.split("."), response.text
    assert named in error["msg"], response.text
    assert await store.leads.count() == 0


async def test_json_nested_a_thousand_deep_is_refused(client: httpx.AsyncClient) -> None:
    deep = '{"custom": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    response = await _raw(client, deep)
    assert response.status_code in (400, 422), response.text
    assert "nest" in response.text


@pytest.mark.parametrize(
    "created_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1000-01-01T00:00:00Z"],
)
async def test_a_creation_time_out_of_range_is_refused(
    client: httpx.AsyncClient, created_at: str
) -> None:
    response = await client.post("/api/v1/leads", json=lead_body(created_at=created_at))
    assert response.status_code == 422, response.text
    assert _fields(response) == ["body.created_at"]


async def test_a_creation_time_in_the_future_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/leads", json=lead_body(created_at="2030-01-01T00:00:00Z"))
    assert response.status_code == 422, response.text
    assert _fields(response) == ["body.created_at"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/leads/9223372036854775808",
        "/api/v1/leads/9223372036854775808/activities",
        "/api/v1/leads/9223372036854775808/decision",
        "/api/v1/config/diff?old=2147483648",
        "/api/v1/config/versions/2147483648",
    ],
)
async def test_ids_beyond_the_database_range_are_refused(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code in (404, 422), response.text


async def test_rolling_back_to_a_version_beyond_range_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/config/rollback/2147483648")
    assert response.status_code in (404, 422), response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "no\x00answer"),
        ("outcome", "\udfff"),
        ("detail", {"note": "a\x00b"}),
        ("detail", {"n": float("inf")}),
        ("detail", {"\udfff": 1}),
    ],
)
async def test_unstorable_activity_values_are_refused(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    import json

    lead = (await client.post("/api/v1/leads", json=lead_body())).json()
    body = json.dumps({"kind": "note", field: value}, allow_nan=True)
    response = await client.post(
        f"/api/v1/leads/{lead['id']}/activities",
        content=body.encode("utf-8", "surrogatepass"),
        headers=JSON,
    )
    assert response.status_code in (400, 422), response.text
    assert field in response.text
    history = await client.get(f"/api/v1/leads/{lead['id']}/activities")
    assert history.status_code == 200
    assert history.json() == []


@pytest.mark.parametrize("field", ["budget", "priority"])
async def test_a_twenty_digit_number_in_a_typed_field_is_refused_not_stored_as_zero(
    client: httpx.AsyncClient, store: Store, field: str
) -> None:
    """Found by QA: the reader kept huge integers as 0, which typed fields took as a value."""
    document = json.dumps(lead_body())[:-1] + f', "{field}": ' + "9" * 20 + "}"
    response = await _raw(client, document)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert await store.leads.count() == 0


async def test_a_method_a_path_does_not_answer_lists_the_ones_it_does(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.put("/api/v1/leads", json={})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, POST"
    both = await client.delete("/api/v1/config")
    assert both.headers["allow"] == "GET, POST"
