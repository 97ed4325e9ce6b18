"""Bulk import of leads from CSV, with a summary: imported, repeats, duplicates, rejected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from leadflow.connectors.csv_import import load_mapping, read_rows
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake.ingest import accept, prepare
from leadflow.storage.database import Database
from leadflow.storage.store import open_store

BATCH = 500


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    repeats: int = 0
    """New leads of a contact seen within the repeat window."""
    duplicates: int = 0
    """Rows whose (source, external_id) was imported before: skipped, nothing created."""
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: dict[str, int] = field(default_factory=dict)
    """First row number of each rejection reason."""

    def reject(self, row: int, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason] += 1
        self.examples.setdefault(reason, row)


async def import_csv(
    database: Database,
    path: Path,
    *,
    mapping: str | None,
    threshold: float,
    now: datetime,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportSummary:
    """Import every row; each batch commits, so an interruption keeps what was imported."""
    headers, rows = read_rows(path)
    plan = load_mapping(mapping, headers)
    summary = ImportSummary()
    live = LiveOrganisation()
    for batch in _batches(enumerate(rows, start=2), BATCH):
        async with open_store(database) as store:
            organisation = await live.get(store)
            parsed = [(line, plan.row(raw)) for line, raw in batch]
            seen = await store.leads.existing_external_ids(
                [
                    (r.get("source", "api"), r["external_id"])
                    for _, r in parsed
                    if r.get("external_id")
                ]
            )
            for line, row in parsed:
                summary.rows += 1
                if (row.get("source", "api"), row.get("external_id")) in seen:
                    summary.duplicates += 1
                    continue
                try:
                    submission = LeadSubmission.model_validate(row)
                    async with store.savepoint():
                        prepared = await prepare(
                            store,
                            submission,
                            served=organisation.served,
                            threshold=threshold,
                            repeat_window=organisation.repeat_window,
                            now=now,
                            external_identity=plan.identity == "external_id",
                        )
                        accepted = await accept(store, submission, prepared)
                except ValidationError as exc:
                    summary.reject(line, _validation_reason(exc))
                    continue
                except InvalidLead as exc:
                    summary.reject(line, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
                    continue
                _count(summary, accepted.created, accepted.lead.is_repeat)
            await store.commit()
        progress(len(batch))
    return summary


def _count(summary: ImportSummary, created: bool, is_repeat: bool) -> None:
    if not created:
        summary.duplicates += 1
        return
    summary.imported += 1
    summary.repeats += int(is_repeat)


def _validation_reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}"


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
