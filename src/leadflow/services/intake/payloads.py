"""Reading request bodies: JSON objects or HTML form data. Unreadable bodies become dead letters.

What may be stored of a body is decided in `leadflow.domain.storable`.

"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from leadflow.domain.storable import MAX_DEPTH, MAX_INTEGER_DIGITS, HugeInteger


class UnreadablePayload(Exception):
    """The body cannot be parsed at all; it is kept as a dead letter with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_body(content_type: str | None, body: bytes) -> dict[str, Any]:
    """A JSON object, or form fields (url-encoded), by the declared content type."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return _form(body)
    if kind in ("application/json", "text/plain", "") or kind.endswith("+json"):
        return _json(body)
    raise UnreadablePayload(f"unsupported content type {kind!r}: send application/json")


def _integer(text: str) -> int | HugeInteger:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return HugeInteger(len(text))
    return int(text)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_int=_integer)
    except RecursionError:
        raise UnreadablePayload(
            f"body is nested too deeply (at most {MAX_DEPTH} levels of objects and arrays)"
        ) from None
    except UnicodeDecodeError:
        raise UnreadablePayload("body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UnreadablePayload(
            f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise UnreadablePayload(f"body must be a JSON object, not {type(data).__name__}")
    return data


def _form(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=False, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadablePayload(f"body is not valid form data: {exc}") from None
    return dict(pairs)
