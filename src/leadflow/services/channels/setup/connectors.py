"""Connectors: created, edited and disabled by admins. Secrets are sealed (`secrets.Vault`) and
only their hints are shown again; settings hold the field mappings per form, the pipeline hints
and the vendor's ids. The caller commits."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.connectors.inbound import CONNECTOR_KINDS
from leadflow.connectors.whatsapp import templates
from leadflow.services.channels.pipeline.processing import channel_of
from leadflow.services.channels.pipeline.processors import Channel
from leadflow.services.channels.pipeline.secrets import Vault, hint
from leadflow.storage.store import Store

TOKEN_INVALID = "channels.token_invalid"
"""The topic of the alert that a connector's token was rejected by its vendor."""
VENDORS = {"google_ads": "Google Ads", "meta": "Meta", "whatsapp": "WhatsApp", "twilio": "Twilio"}
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

SECRET_NAMES: dict[str, tuple[str, ...]] = {
    "google_ads": ("google_key",),
    "meta": ("app_secret", "verify_token", "page_token"),
    "whatsapp": ("app_secret", "verify_token", "access_token"),
    "twilio": ("auth_token",),
}
"""The secrets each kind of connector uses (what the add/edit screen asks for)."""


WEBHOOK_PATHS = {
    "google_ads": "/hooks/google-ads/{key}",
    "meta": "/hooks/meta/{key}",
    "whatsapp": "/hooks/whatsapp/{key}",
    "twilio": "/hooks/twilio/{key}/voice",
}
"""Where each kind's vendor delivers (the URL to paste into the vendor's console)."""


def webhook_path(kind: str, key: str) -> str | None:
    path = WEBHOOK_PATHS.get(kind)
    return path.format(key=key) if path else None


class ConnectorError(ValueError):
    """A connector that cannot be saved as asked: the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class ConnectorView:
    """A connector as the admin sees it: hints of its secrets, never the secrets."""

    key: str
    kind: str
    name: str
    enabled: bool
    secret_hints: dict[str, str]
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


async def listing(store: Store) -> list[ConnectorView]:
    return [_view(row) for row in await store.channels.connectors()]


async def get(store: Store, key: str) -> ConnectorView | None:
    row = await store.channels.connector(key)
    return _view(row) if row is not None else None


async def channel(store: Store, vault: Vault, key: str) -> Channel | None:
    """The connector with its secrets opened (for webhooks and processing only)."""
    row = await store.channels.connector(key)
    return channel_of(row, vault) if row is not None else None


async def create(
    store: Store,
    vault: Vault,
    *,
    key: str,
    kind: str,
    name: str,
    secrets: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
) -> ConnectorView:
    if not KEY.match(key):
        raise ConnectorError("key", "lower-case letters, digits, - and _ (at most 64)")
    if kind not in CONNECTOR_KINDS:
        raise ConnectorError("kind", f"one of {', '.join(CONNECTOR_KINDS)}")
    if not name.strip():
        raise ConnectorError("name", "is required")
    if await store.channels.connector(key) is not None:
        raise ConnectorError("key", f"{key!r} is taken")
    given = _given(secrets)
    row = await store.channels.add_connector(
        key=key,
        kind=kind,
        name=name.strip(),
        secrets=vault.seal(given) if given else None,
        secret_hints={name: hint(value) for name, value in given.items()},
        settings=validated_settings(settings or {}),
    )
    return _view(row)


async def update(
    store: Store,
    vault: Vault,
    key: str,
    *,
    name: str | None = None,
    secrets: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    enabled: bool | None = None,
) -> ConnectorView:
    """Change what is given: a secret left empty keeps its stored value."""
    row = await store.channels.connector(key)
    if row is None:
        raise ConnectorError("key", f"no connector {key!r}")
    values: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise ConnectorError("name", "is required")
        values["name"] = name.strip()
    given = _given(secrets)
    if given:
        merged = {**vault.open(row.secrets), **given}
        values["secrets"] = vault.seal(merged)
        values["secret_hints"] = {**row.secret_hints, **{n: hint(v) for n, v in given.items()}}
    if settings is not None:
        values["settings"] = validated_settings(settings)
    if enabled is not None:
        values["enabled"] = enabled
    if values:
        await store.channels.update_connector(key, **values)
        await store.refresh(row)
    return _view(row)


async def disable(store: Store, vault: Vault, key: str) -> ConnectorView:
    return await update(store, vault, key, enabled=False)


def _given(secrets: dict[str, str] | None) -> dict[str, str]:
    return {name: value.strip() for name, value in (secrets or {}).items() if value.strip()}


TARGET = re.compile(r"^(custom\.[A-Za-z0-9_]{1,64}|[a-z_]{2,32})$")
MAPPABLE = frozenset({
    "first_name", "last_name", "full_name", "phone", "email", "whatsapp_id", "country",
    "language", "locale", "message", "treatment", "budget", "currency", "utm_source",
    "utm_medium", "utm_campaign", "utm_content", "utm_term", "landing_url", "consent",
    "city", "postal_code",
})  # fmt: skip
"""Lead fields a vendor's question may fill (`city`, `postal_code`: kept as custom fields)."""


def validated_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings with their mappings checked: `mappings` is {form id or "*": {vendor question or
    column: lead field or custom.NAME}}; `hints` is {custom field: value}; WhatsApp's
    `templates` is [{name, language, body with {{1}}…}] as approved in WhatsApp Manager."""
    if settings.get("missed_call") not in (None, "lead", "callback_task"):
        raise ConnectorError("missed_call", "lead or callback_task (telephony)")
    mappings = settings.get("mappings") or {}
    if not isinstance(mappings, dict):
        raise ConnectorError("mappings", "must map form ids to {question: field}")
    for form, mapping in mappings.items():
        if not isinstance(mapping, dict):
            raise ConnectorError(f"mappings.{form}", "must map questions to fields")
        for question, target in mapping.items():
            if not isinstance(target, str) or not TARGET.match(target):
                raise ConnectorError(
                    f"mappings.{form}.{question}",
                    "a lead field or custom.NAME (letters, digits, _)",
                )
            if not target.startswith("custom.") and target not in MAPPABLE:
                raise ConnectorError(
                    f"mappings.{form}.{question}", f"unknown lead field {target!r}"
                )
    hints = settings.get("hints") or {}
    if not isinstance(hints, dict) or not all(
        isinstance(k, str) and re.match(r"^[A-Za-z0-9_]{1,64}$", k) for k in hints
    ):
        raise ConnectorError("hints", "must map custom field names to values")
    checked = {**settings, "mappings": mappings, "hints": {k: str(v) for k, v in hints.items()}}
    if "templates" in settings:
        try:
            listed = templates.of_settings({"templates": settings["templates"]})
        except templates.TemplateError as error:
            raise ConnectorError(error.field, error.message) from None
        checked["templates"] = [
            {"name": t.name, "language": t.language, "body": t.body} for t in listed
        ]
    return checked


def _view(row: Any) -> ConnectorView:
    return ConnectorView(
        key=row.key,
        kind=row.kind,
        name=row.name,
        enabled=row.enabled,
        secret_hints=dict(row.secret_hints),
        settings=dict(row.settings),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def alert_token_invalid(
    store: Store, channel: Channel, token: str, reason: str, *, secret: str, meanwhile: str
) -> None:
    """Tell the admins (e-mail) and the webhooks subscribed to `channels.token_invalid` that a
    connector's `secret` (its token) was rejected by the vendor, and what waits `meanwhile`:
    once per token, however many leads or messages it fails. `secret` and `meanwhile` are
    English words marked for translation (`N_`): each reader's language is chosen when the
    alert is sent. The caller commits."""
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]
    vendor = VENDORS.get(channel.kind, channel.kind)
    payload = {
        "connector": channel.key,
        "connector_name": channel.name,
        "vendor": vendor,
        "secret": secret,
        "meanwhile": meanwhile,
        "reason": reason,
        "message": f"{vendor} connector {channel.name} ({channel.key}): the {secret} was "
        f"rejected; {meanwhile}",
    }
    key = f"{TOKEN_INVALID}:{channel.key}:{fingerprint}"
    await store.outbox.add(
        topic=TOKEN_INVALID, channel="alert", recipient=None, payload=payload,
        idempotency_key=f"{key}:alert",
    )  # fmt: skip
    for user in await store.users.listing():
        if user.role == "admin" and user.is_active:
            await store.outbox.add(
                topic=TOKEN_INVALID, channel="email", recipient=user.email, payload=payload,
                idempotency_key=f"{key}:email:{user.email}",
            )  # fmt: skip
