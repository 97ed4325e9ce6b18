"""A WhatsApp connector's approved templates pulled from WhatsApp Manager: Graph's
`GET /v{N}/{waba_id}/message_templates` with the connector's access token, page by page
(`paging.next`), the approved ones whose only variables are the body's positional ones kept on
the connector's `templates` (replacing what was there); the others listed with the reason.
Source: developers.facebook.com/documentation/business-messaging/whatsapp/templates/…
(template management: get templates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from leadflow.connectors.whatsapp import templates
from leadflow.connectors.whatsapp.messages import json_of
from leadflow.connectors.whatsapp.templates import Template
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.vendors.whatsapp import sender_of
from leadflow.storage.store import Store

MAX_PAGES = 50


class TemplatesUnavailable(Exception):
    """The templates could not be pulled; the message says why."""


@dataclass(frozen=True)
class Pulled:
    kept: list[Template]
    left_out: list[str]


async def pull(store: Store, vault: Vault, key: str, http: httpx.AsyncClient) -> Pulled:
    """Pull the approved templates of connector `key`'s WhatsApp Business Account (setting
    `waba_id`) onto it. The caller commits. Raises TemplatesUnavailable."""
    channel = await connectors.channel(store, vault, key)
    if channel is None or channel.kind != "whatsapp":
        raise TemplatesUnavailable(f"no WhatsApp connector {key!r}")
    sender = sender_of(channel)
    waba_id = str(channel.settings.get("waba_id") or "").strip()
    if sender is None or not waba_id.isdigit():
        raise TemplatesUnavailable(
            f"connector {key!r} needs an access_token, a phone_number_id and its "
            "WhatsApp Business Account id as setting waba_id"
        )
    version = sender.version.removeprefix("v")
    url: str | None = f"{sender.api_base.rstrip('/')}/v{version}/{waba_id}/message_templates"
    params: dict[str, Any] | None = {"fields": templates.GRAPH_FIELDS, "limit": 100}
    kept: dict[str, Template] = {}
    left_out: list[str] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        page = await _page(http, url, params, sender.token)
        for item in page.get("data") or []:
            found = templates.from_graph(item) if isinstance(item, dict) else "not a template"
            if isinstance(found, Template):
                kept.setdefault(found.key, found)
            else:
                left_out.append(found)
        paging = page.get("paging") if isinstance(page.get("paging"), dict) else {}
        assert isinstance(paging, dict)
        url = paging.get("next") if isinstance(paging.get("next"), str) else None
        params = None  # the next page's URL carries them
    listed = [{"name": t.name, "language": t.language, "body": t.body} for t in kept.values()]
    await connectors.update(store, vault, key, settings={**channel.settings, "templates": listed})
    return Pulled(kept=list(kept.values()), left_out=left_out)


async def _page(
    http: httpx.AsyncClient, url: str, params: dict[str, Any] | None, token: str
) -> dict[str, Any]:
    try:
        response = await http.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise TemplatesUnavailable(f"WhatsApp could not be reached: {type(exc).__name__}") from exc
    document = json_of(response)
    if not response.is_success:
        raise TemplatesUnavailable(_reason(document, response.status_code))
    return document


def _reason(document: dict[str, Any], status: int) -> str:
    error = document.get("error") if isinstance(document.get("error"), dict) else {}
    assert isinstance(error, dict)
    code = error.get("code")
    words = str(error.get("message") or f"HTTP {status}")
    return f"WhatsApp error {code}: {words}" if isinstance(code, int) else words
