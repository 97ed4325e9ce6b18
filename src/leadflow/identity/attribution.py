"""Marketing attribution (UTM parameters and ad click ids) from a lead's landing page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import parse_qsl, urlsplit

ATTRIBUTION_KEYS: Final = (
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "gclid", "gbraid", "wbraid", "fbclid", "ctwa_clid",
)  # fmt: skip


def attribution_from_url(landing_url: str | None) -> dict[str, str]:
    """The attribution parameters in the URL's query string; the first non-empty value wins.

    Parameter names match in any case. A landing URL that cannot be parsed carries no
    attribution: it never makes a lead invalid.
    """
    if not landing_url:
        return {}
    try:
        query = urlsplit(landing_url.strip()).query
    except ValueError:  # e.g. an unclosed IPv6 bracket; the lead is still worth routing
        return {}
    found: dict[str, str] = {}
    for name, value in parse_qsl(query):
        key, text = name.strip().lower(), value.strip()
        if key in ATTRIBUTION_KEYS and text and key not in found:
            found[key] = text
    return found


def merge_attribution(body: Mapping[str, str | None], landing_url: str | None) -> dict[str, str]:
    """Attribution sent in the lead's body, completed from its landing URL.

    Values in the body win; blank ones count as missing. Only ATTRIBUTION_KEYS are returned.
    """
    merged = attribution_from_url(landing_url)
    for key in ATTRIBUTION_KEYS:
        value = (body.get(key) or "").strip()
        if value:
            merged[key] = value
    return {key: merged[key] for key in ATTRIBUTION_KEYS if key in merged}
