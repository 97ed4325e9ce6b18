"""Reading request bodies: JSON objects or HTML form data. Unreadable bodies become dead letters.

Also what may be stored of what a caller sent (pure): PostgreSQL's text and jsonb hold no NUL
character, no unpaired UTF-16 surrogate (`"\\udfff"` is valid JSON but not UTF-8), no NaN or
infinite number and no integer beyond 64 bits. A value that breaks one of these rules is
refused naming where it is, before it can reach the database (where it was a 500 and a stalled
log line) or an answer (where it broke the JSON encoder).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator


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


class _HugeInteger(int):
    """An integer of more digits than any stored number: kept as 0 so that `unstorable` can
    name where it was (Python refuses to convert more than 4,300 digits at all)."""

    digits: int = 0


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        huge = _HugeInteger(0)
        huge.digits = len(text)
        return huge
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


MAX_DEPTH = 16
"""Levels of objects and arrays a stored JSON value may have."""
MAX_INTEGER_DIGITS = 19
_INT64 = range(-(2**63), 2**63)


def unstorable(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Where `value` holds something PostgreSQL cannot store, and why: (path, message)."""
    if depth > MAX_DEPTH:
        yield path, f"is nested too deeply (at most {MAX_DEPTH} levels)"
    elif isinstance(value, str):
        if problem := text_problem(value):
            yield path, problem
    elif isinstance(value, _HugeInteger):
        yield path, f"is an integer of {value.digits} digits: at most {MAX_INTEGER_DIGITS}"
    elif isinstance(value, bool):
        return
    elif isinstance(value, int) and value not in _INT64:
        yield path, "is an integer beyond 64 bits"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, "is not a finite number (NaN and Infinity cannot be stored)"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if problem := text_problem(str(key)):
                yield (path or "body"), f"has a key that {problem}"
                continue
            yield from unstorable(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable(item, f"{path}.{index}" if path else str(index), depth + 1)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as PostgreSQL text, or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate (e.g. \\udfff): not valid Unicode text"
    return None


def _storable_text(text: str) -> str:
    if problem := text_problem(text):
        raise ValueError(problem)
    return text


def _storable_json(value: Any) -> Any:
    problems = [f"{path}: {message}" if path else message for path, message in unstorable(value)]
    if problems:
        raise ValueError("; ".join(problems))
    return value


StorableText = Annotated[str, AfterValidator(_storable_text)]
"""A string PostgreSQL can store (no NUL, no unpaired surrogate)."""

StorableJson = Annotated[dict[str, Any], AfterValidator(_storable_json)]
"""A JSON object PostgreSQL's jsonb can store; a bad value is named by its path."""
