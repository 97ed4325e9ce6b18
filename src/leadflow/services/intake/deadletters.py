"""Dead letters: payloads that could not be read are kept, listed and replayed after a fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadflow.services.intake.payloads import parse_body
from leadflow.storage.store import Store
from leadflow.storage.tables import DeadLetter

_KEPT_HEADERS = ("content-type", "user-agent", "origin", "x-forwarded-for", "referer")


class UnknownDeadLetter(Exception):
    def __init__(self, letter_id: int) -> None:
        super().__init__(f"dead letter {letter_id} does not exist")


class AlreadyReplayed(Exception):
    def __init__(self, letter_id: int, lead_id: int | None) -> None:
        super().__init__(f"dead letter {letter_id} was replayed already (lead {lead_id})")


async def keep(
    store: Store, *, endpoint: str, headers: dict[str, str], body: bytes, reason: str
) -> int:
    kept = {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS}
    return await store.deadletters.add(
        endpoint=endpoint,
        content_type=headers.get("content-type"),
        headers=kept,
        body=body,
        reason=reason,
    )


@dataclass(frozen=True)
class ReplayInput:
    letter: DeadLetter
    data: dict[str, Any]


async def prepare_replay(
    store: Store, letter_id: int, *, body: bytes | None = None, content_type: str | None = None
) -> ReplayInput:
    """Lock the letter and parse its (possibly corrected) body; UnreadablePayload if still bad."""
    letter = await store.deadletters.get(letter_id, for_update=True)
    if letter is None:
        raise UnknownDeadLetter(letter_id)
    if letter.status == "replayed":
        raise AlreadyReplayed(letter_id, letter.lead_id)
    letter.attempts += 1
    if body is not None:
        letter.body = body
        letter.content_type = content_type or letter.content_type
    return ReplayInput(letter, parse_body(letter.content_type, letter.body))


def mark_replayed(letter: DeadLetter, lead_id: int, now: Any) -> None:
    letter.status = "replayed"
    letter.lead_id = lead_id
    letter.replayed_at = now


async def listing(store: Store, status: str | None = None) -> list[DeadLetter]:
    """Newest first, optionally only those with `status` (new, replayed or failed)."""
    return await store.deadletters.listing(status)
