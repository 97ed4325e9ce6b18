"""Meta's webhook security, shared by Meta Lead Ads and WhatsApp Cloud API (pure): the
subscription handshake and the `X-Hub-Signature-256` check.

Meta signs the raw body with the app secret (HMAC-SHA256, lowercase hex, `sha256=` prefix);
the check runs on the bytes as received, since a re-serialised body would not match. Both secret
comparisons take constant time. Sources: developers.facebook.com/docs/graph-api/webhooks/
getting-started; protocols.md A1 and A3.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def challenge_answer(query: Mapping[str, str], verify_token: str) -> str | None:
    """The body that accepts a subscription handshake (`hub.challenge` echoed), or None when
    the request is not a handshake with our verify token (answered 403)."""
    mode = query.get("hub.mode")
    token = query.get("hub.verify_token")
    challenge = query.get("hub.challenge")
    if mode != "subscribe" or token is None or challenge is None or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


def signature(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body` (what a test or a fake sends)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signed(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is the app secret's signature of exactly these bytes."""
    if not header or not app_secret or not header.startswith(_PREFIX):
        return False
    expected = signature(body, app_secret).encode()
    return hmac.compare_digest(header.strip().lower().encode("ascii", "replace"), expected)
