"""What PostgreSQL can store of what a caller sent (pure).

Text and jsonb hold no NUL character, no unpaired UTF-16 surrogate (`"\\udfff"` is valid JSON but
not UTF-8), no NaN or infinite number and no integer beyond 64 bits. A value that breaks one of
these rules is refused naming where it is, before it can reach the database (where it was a 500
and a stalled log line) or an answer (where it broke the JSON encoder).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator


class HugeInteger:
    """An integer of more digits than any stored number, as the JSON reader leaves it (Python
    refuses to convert more than 4,300 digits at all). Not a number: a typed field refuses it
    ("a valid integer"), and `unstorable` names where it is in free-form JSON."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"


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
    elif isinstance(value, HugeInteger):
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
