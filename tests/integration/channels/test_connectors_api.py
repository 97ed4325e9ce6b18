"""`/api/v1/connectors`: connectors created, read and changed over the API by configuration-as-code
or an administrator; secrets written and never returned (hints only); bad fields named."""

from __future__ import annotations

import httpx

from leadflow.services.access import tokens
from leadflow.services.access.scoping import Scope
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.storage.store import Store

URL = "/api/v1/connectors"
PAGE_TOKEN = "EAAG-page-token-0123456789wxyz"
APP_SECRET = "app-secret-0123456789abcd"
META = {
    "key": "clinic-meta",
    "kind": "meta",
    "name": "Clinic Facebook page",
    "secrets": {"app_secret": APP_SECRET, "page_token": PAGE_TOKEN},
    "settings": {"page_id": "1234", "mappings": {"*": {"treatment": "treatment"}}},
}


async def test_a_connector_created_by_api_shows_only_its_secrets_hints(
    client: httpx.AsyncClient, store: Store, vault: Vault
) -> None:
    created = await client.post(URL, json=META)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret_hints"] == {"app_secret": "…abcd", "page_token": "…wxyz"}
    assert body["webhook_path"] == "/hooks/meta/clinic-meta"
    assert body["settings"]["mappings"] == {"*": {"treatment": "treatment"}}
    for answer in (created, await client.get(URL), await client.get(f"{URL}/clinic-meta")):
        assert PAGE_TOKEN not in answer.text
        assert APP_SECRET not in answer.text
    channel = await connectors.channel(store, vault, "clinic-meta")
    assert channel is not None
    assert channel.secrets == {"app_secret": APP_SECRET, "page_token": PAGE_TOKEN}


async def test_a_change_keeps_the_secrets_not_sent_and_the_fields_not_sent(
    client: httpx.AsyncClient, store: Store, vault: Vault
) -> None:
    await client.post(URL, json=META)
    renewed = "EAAG-renewed-token-98765-mnop"

    changed = await client.patch(
        f"{URL}/clinic-meta", json={"secrets": {"page_token": renewed}, "enabled": False}
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["enabled"]) == ("Clinic Facebook page", False)
    assert body["secret_hints"] == {"app_secret": "…abcd", "page_token": "…mnop"}
    assert renewed not in changed.text
    channel = await connectors.channel(store, vault, "clinic-meta")
    assert channel is not None
    assert channel.secrets == {"app_secret": APP_SECRET, "page_token": renewed}


async def test_bad_fields_are_named(client: httpx.AsyncClient) -> None:
    cases = [
        ({**META, "key": "Clinic Meta"}, ["body", "key"]),
        ({**META, "kind": "myspace"}, ["body", "kind"]),
        ({**META, "secrets": {"password": "x" * 20}}, ["body", "secrets", "password"]),
        (
            {**META, "settings": {"mappings": {"*": {"q": "salary"}}}},
            ["body", "settings", "mappings", "*", "q"],
        ),
        ({**META, "name": 7}, ["body", "name"]),
    ]
    for document, location in cases:
        answer = await client.post(URL, json=document)
        assert answer.status_code == 422, (document, answer.text)
        assert answer.json()["detail"][0]["loc"] == location
    await client.post(URL, json=META)
    taken = await client.post(URL, json=META)
    assert (taken.status_code, taken.json()["detail"][0]["loc"]) == (422, ["body", "key"])
    assert (await client.patch(f"{URL}/nobody", json={"name": "x"})).status_code == 404
    assert (await client.get(f"{URL}/nobody")).status_code == 404


async def test_managing_connectors_needs_the_configuration_scope(
    client: httpx.AsyncClient, store: Store
) -> None:
    reader = await tokens.issue(store, "dashboards", frozenset({Scope.READ, Scope.INTAKE}))
    await store.commit()
    headers = {"Authorization": f"Bearer {reader.secret}"}

    assert (await client.get(URL, headers=headers)).status_code == 403
    assert (await client.post(URL, json=META, headers=headers)).status_code == 403
    assert (await client.get(URL, headers={"Authorization": ""})).status_code == 401
