"""`X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the account's auth token, of the full URL
Twilio called followed by every POST parameter (name then value, no separator) sorted by name.

Twilio may sign the URL with or without the scheme's default port (:443, :80), so both forms are
tried, as its own SDKs do."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def compute(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The signature Twilio sends for a POST of `params` to `url`. A name repeated is signed
    with each of its values, sorted."""
    signed = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def is_valid(
    url: str, params: Iterable[tuple[str, str]], signature: str | None, auth_token: str
) -> bool:
    """Whether `signature` is Twilio's for this request (constant-time comparison)."""
    if not signature or not auth_token:
        return False
    pairs = list(params)
    given = signature.encode()
    return any(
        hmac.compare_digest(compute(candidate, pairs, auth_token).encode(), given)
        for candidate in _url_forms(url)
    )


def _url_forms(url: str) -> list[str]:
    """The URL as given, without its default port and with it."""
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    if default is None or parts.hostname is None:
        return [url]
    host = parts.hostname
    without = urlunsplit(parts._replace(netloc=_netloc(parts.username, parts.password, host)))
    port = parts.port or default
    with_port = urlunsplit(
        parts._replace(netloc=_netloc(parts.username, parts.password, f"{host}:{port}"))
    )
    return list(dict.fromkeys([url, without, with_port]))


def _netloc(user: str | None, password: str | None, host: str) -> str:
    if user is None:
        return host
    credentials = user if password is None else f"{user}:{password}"
    return f"{credentials}@{host}"
