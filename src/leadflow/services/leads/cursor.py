"""The leads list's cursor: where the previous page ended, opaque to the caller.

It names the sort it was made for: a cursor of one order used with another is refused, not
read as a position it never was.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any


class BadCursor(ValueError):
    """The cursor was not made by this list, or for another sort."""


def encode(sort: str, descending: bool, key: Any, lead_id: int) -> str:
    value = key.isoformat() if isinstance(key, datetime) else key
    text = json.dumps([sort, descending, value, lead_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, sort: str, descending: bool) -> tuple[Any, int]:
    """The (sort key, lead id) the cursor points after; `BadCursor` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, made_descending, key, lead_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor("not a cursor this list gave") from None
    if made_for != sort or made_descending is not descending:
        raise BadCursor("made for another sort")
    if not isinstance(lead_id, int) or not isinstance(key, str):
        raise BadCursor("not a cursor this list gave")
    if sort == "received":
        try:
            return datetime.fromisoformat(key), lead_id
        except ValueError:
            raise BadCursor("not a cursor this list gave") from None
    return key, lead_id
