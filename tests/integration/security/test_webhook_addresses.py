"""A configuration may not point a webhook at a private network address (the server's own
127.0.0.1, 10.x, a metadata service…) unless the webhook says `allow_private_network: true`;
the configuration API names the refused URL's field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from leadflow.domain.configuration import Configuration
from tests import factories


def with_webhook(**hook: Any) -> dict[str, Any]:
    document = factories.organisation().model_dump(mode="json", exclude_defaults=True)
    document["notifications"] = {"webhooks": [{"key": "crm", **hook}]}
    return document


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9000/hook",
        "https://0.0.0.0/hook",
    ],
)
async def test_a_webhook_to_a_private_address_is_refused_naming_its_url(
    client: httpx.AsyncClient, org: Configuration, url: str
) -> None:
    answer = await client.post("/api/v1/config", json=with_webhook(url=url))
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "notifications", "webhooks[0]", "url"]
    assert url in problem["msg"]
    assert "allow_private_network: true" in problem["msg"]


async def test_an_allowed_private_webhook_is_applied_and_shown_in_the_diff(
    client: httpx.AsyncClient, org: Configuration
) -> None:
    before = (await client.get("/api/v1/config")).json()["version"]
    hook = {"url": "http://127.0.0.1:8080/hook", "allow_private_network": True}
    applied = await client.post("/api/v1/config", json=with_webhook(**hook))
    assert applied.status_code == 201
    diff = (await client.get(f"/api/v1/config/diff?old={before}")).json()["diff"]
    assert "+    allow_private_network: true" in diff


async def test_a_webhook_to_a_public_name_is_accepted(
    client: httpx.AsyncClient, org: Configuration
) -> None:
    answer = await client.post(
        "/api/v1/config", json=with_webhook(url="https://hooks.example.com/x")
    )
    assert answer.status_code == 201
