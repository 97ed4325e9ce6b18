"""`leadflow import` and `leadflow deadletter`: leads in bulk; payloads that could not be read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import (
    Failure,
    console,
    database_url,
    friendly,
    progress,
    run,
    settings,
    with_store,
)

if TYPE_CHECKING:
    from leadflow.services.intake.imports import ImportSummary

import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
deadletter_app = typer.Typer(help="Payloads that could not be read.", no_args_is_help=True)


@import_app.command("leads")
@friendly
def import_leads(
    file: Annotated[Path, typer.Argument(help="a CSV file with a header row")],
    mapping: Annotated[
        str | None,
        typer.Option(help="a mapping YAML file, or 'xeducation'; default: columns named as fields"),
    ] = None,
) -> None:
    """Import leads from CSV (normalised and deduplicated like the API; not routed)."""
    from leadflow.connectors.csv_import import count_rows
    from leadflow.services.intake.imports import import_csv
    from leadflow.storage.database import Database

    if not file.is_file():
        raise Failure(f"no such file: {file}")
    total = count_rows(file)
    current = settings()

    async def work() -> ImportSummary:
        database = Database(database_url(current), pool_size=2)
        try:
            with progress() as bar:
                task = bar.add_task(f"importing {file.name}", total=total)
                return await import_csv(
                    database,
                    file,
                    mapping=mapping,
                    threshold=current.language_confidence,
                    now=datetime.now(UTC),
                    progress=lambda n: bar.advance(task, n),
                )
        finally:
            await database.dispose()

    summary = run(work())
    _print_summary(file, summary)
    if summary.rejected and summary.rejected == summary.rows:
        raise Failure(f"no lead imported: every one of the {summary.rows} rows was rejected")


def _print_summary(file: Path, summary: ImportSummary) -> None:
    table = Table(title=f"import of {file.name}")
    table.add_column("")
    table.add_column("rows", justify="right")
    for label, value in (
        ("read", summary.rows),
        ("imported", summary.imported),
        ("  of which repeats of a known contact", summary.repeats),
        ("already imported (same source + external id)", summary.duplicates),
        ("rejected", summary.rejected),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for reason, count in summary.reasons.most_common():
        console.print(f"  rejected {count}× (first at line {summary.examples[reason]}): {reason}")


@deadletter_app.command("list")
@friendly
def deadletter_list(
    status: Annotated[str | None, typer.Option(help="new, replayed or failed")] = None,
) -> None:
    """List payloads kept because they could not be read."""
    from leadflow.services.intake import deadletters

    letters = run(with_store(lambda store: deadletters.listing(store, status), commit=False))
    table = Table(title="dead letters")
    for column in ("id", "received", "endpoint", "status", "reason", "body"):
        table.add_column(column)
    for letter in letters:
        table.add_row(
            str(letter.id),
            f"{letter.received_at:%Y-%m-%d %H:%M}",
            letter.endpoint,
            letter.status,
            letter.reason,
            letter.body[:60].decode("utf-8", "replace"),
        )
    console.print(table)


@deadletter_app.command("replay")
@friendly
def deadletter_replay(
    letter_id: Annotated[int, typer.Argument(metavar="ID")],
    body: Annotated[
        Path | None, typer.Option(help="a corrected body to use instead of the stored one")
    ] = None,
) -> None:
    """Run a kept payload through intake again (after a fix, or with a corrected --body)."""
    from leadflow.services.intake import replays

    corrected = body.read_bytes() if body else None
    current = settings()
    result = run(
        with_store(
            lambda store: replays.replay_dead_letter(
                store,
                letter_id,
                body=corrected,
                threshold=current.language_confidence,
                now=datetime.now(UTC),
            )
        )
    )
    console.print(result)
