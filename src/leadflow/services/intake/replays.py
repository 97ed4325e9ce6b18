"""Replaying dead letters through intake."""

from __future__ import annotations

from datetime import datetime

from leadflow.identity import submission as submissions
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake import deadletters
from leadflow.services.intake import ingest as intake
from leadflow.storage.store import Store


async def replay_dead_letter(
    store: Store, letter_id: int, *, body: bytes | None, threshold: float, now: datetime
) -> str:
    """Parse the kept (or corrected) body and ingest it; the letter is marked replayed."""
    prepared = await deadletters.prepare_replay(store, letter_id, body=body)
    data = prepared.data
    if prepared.letter.endpoint.startswith("/api/v1/forms/"):
        form_key = prepared.letter.endpoint.rsplit("/", 1)[-1]
        form = await store.forms.get(form_key)
        data = submissions.form_fields(
            data, form_key=form_key, defaults=form.defaults if form else {}
        )
    submission = submissions.parse_submission(data)
    result = await intake.ingest(
        store, submission, live=LiveOrganisation(), threshold=threshold, now=now
    )
    deadletters.mark_replayed(prepared.letter, result.lead.id, now)
    state = "created" if result.created else "matched the existing"
    return f"dead letter {letter_id} replayed: {state} lead {result.lead.id}"
