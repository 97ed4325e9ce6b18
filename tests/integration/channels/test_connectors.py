"""Connectors as the admin service keeps them: secrets sealed and merged, settings checked."""

from __future__ import annotations

import pytest

from leadflow.services.channels.pipeline.secrets import UnreadableSecrets, Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.setup.connectors import ConnectorError
from leadflow.storage.store import Store


async def test_a_new_secret_is_added_beside_the_stored_ones(store: Store, vault: Vault) -> None:
    await connectors.create(
        store, vault, key="page", kind="meta", name="Page",
        secrets={"app_secret": "app-secret-000011112222", "verify_token": "verify-me-please"},
    )  # fmt: skip
    updated = await connectors.update(
        store, vault, "page", secrets={"page_token": "page-token-99998888", "app_secret": ""}
    )
    channel = await connectors.channel(store, vault, "page")
    assert channel is not None
    assert channel.secrets == {
        "app_secret": "app-secret-000011112222",
        "verify_token": "verify-me-please",
        "page_token": "page-token-99998888",
    }
    assert updated.secret_hints == {
        "app_secret": "…2222", "verify_token": "…ease", "page_token": "…8888",
    }  # fmt: skip


async def test_secrets_sealed_under_another_key_are_reported_not_guessed(
    store: Store, vault: Vault
) -> None:
    await connectors.create(
        store, vault, key="g", kind="google_ads", name="G", secrets={"google_key": "k" * 20}
    )
    with pytest.raises(UnreadableSecrets, match="enter them again"):
        await connectors.channel(store, Vault("another-secret-key-entirely"), "g")


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"mappings": {"*": {"Q1": "custom.bad name"}}}, "mappings.*.Q1"),
        ({"mappings": {"*": {"Q1": "shoe_size"}}}, "mappings.*.Q1"),
        ({"mappings": ["Q1"]}, "mappings"),
        ({"hints": {"bad key": "x"}}, "hints"),
    ],
)
async def test_settings_that_cannot_work_are_refused_naming_the_field(
    store: Store, vault: Vault, settings: dict[str, object], field: str
) -> None:
    with pytest.raises(ConnectorError) as refused:
        await connectors.create(store, vault, key="x", kind="meta", name="X", settings=settings)
    assert refused.value.field == field


async def test_a_taken_key_is_refused(store: Store, vault: Vault) -> None:
    await connectors.create(store, vault, key="x", kind="meta", name="X")
    with pytest.raises(ConnectorError, match="'x' is taken"):
        await connectors.create(store, vault, key="x", kind="twilio", name="Y")
