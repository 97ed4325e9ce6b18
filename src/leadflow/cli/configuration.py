"""`leadflow config`: configuration as code; versions, export, diff, apply, roll back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from leadflow.cli.shell import Failure, console, friendly, read_text, run, with_store

if TYPE_CHECKING:
    from leadflow.storage.store import Store

app = typer.Typer(help="Configuration as code: versions, export, apply.", no_args_is_help=True)


@app.command("apply")
@friendly
def config_apply(
    file: Path,
    comment: Annotated[str, typer.Option(help="why this change")] = "",
) -> None:
    """Validate FILE and activate it as a new configuration version (none when FILE is what
    the active version holds already). Warns of each team lead whose account is missing or does
    not cover their teams."""
    from leadflow.services.configuration import accounts
    from leadflow.services.configuration import versions as configuration

    if not file.is_file():
        raise Failure(f"no such file: {file}")
    parsed = configuration.parse_yaml(file.read_text(), str(file))

    async def work(store: Store) -> tuple[int, bool, list[str]]:
        warnings = [m.message for m in await accounts.check(store, parsed)]
        same = await configuration.active_if_same(store, parsed)
        if same is not None:
            return same, False, warnings
        version = await configuration.apply(store, parsed, actor="cli", comment=comment)
        return version, True, warnings

    version, applied, warnings = run(with_store(work))
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if applied:
        console.print(f"[green]configuration version {version} is active[/green]")
    else:
        console.print(f"unchanged: {file} is what version {version} holds; no new version made")


@app.command("export")
@friendly
def config_export(
    version: Annotated[
        int | None, typer.Option(help="a past version; default the live one")
    ] = None,
) -> None:
    """Print the live (or a past) configuration as YAML."""
    from leadflow.services.configuration import versions as configuration

    async def work(store: Store) -> dict[str, Any]:
        if version is None:
            return (await configuration.active_document(store))[1]
        return await configuration.document_of(store, version)

    print(configuration.to_yaml(run(with_store(work, commit=False))), end="")


@app.command("diff")
@friendly
def config_diff(
    old: Annotated[str, typer.Argument(help="a version number, or a YAML file")],
    new: Annotated[str | None, typer.Argument(help="a version or file; default: live")] = None,
) -> None:
    """Show what changes from OLD to NEW; with one argument, what it would change in the live
    version (`leadflow config diff draft.yaml`)."""
    from leadflow.services.configuration import versions as configuration

    refs: tuple[str | None, str | None] = (None, old) if new is None else (old, new)

    drafts = {
        ref: configuration.parse_yaml(read_text(ref), ref).model_dump(
            mode="json", exclude_defaults=True
        )
        for ref in refs
        if ref is not None and not ref.isdigit()
    }

    async def load(store: Store, ref: str | None) -> tuple[str, dict[str, Any]]:
        if ref is None:
            version, document = await configuration.active_document(store)
            return f"version {version} (live)", document
        if ref in drafts:
            return ref, drafts[ref]
        return f"version {ref}", await configuration.document_of(store, int(ref))

    async def work(store: Store) -> str:
        (old_name, old_doc), (new_name, new_doc) = (
            await load(store, refs[0]),
            await load(store, refs[1]),
        )
        return configuration.diff(old_doc, new_doc, old_name=old_name, new_name=new_name)

    text = run(with_store(work, commit=False))
    print(text or "no differences", end="" if text else "\n")


@app.command("rollback")
@friendly
def config_rollback(version: int) -> None:
    """Activate a copy of an earlier VERSION as a new version."""
    from leadflow.services.configuration import versions as configuration

    new = run(with_store(lambda store: configuration.rollback(store, version, actor="cli")))
    console.print(f"[green]version {version} is live again as version {new}[/green]")


@app.command("history")
@friendly
def config_history() -> None:
    """List configuration versions."""
    from leadflow.services.configuration import versions as configuration

    table = Table(title="configuration versions")
    for column in ("version", "created", "by", "active", "comment"):
        table.add_column(column)
    for row in run(with_store(configuration.history, commit=False)):
        table.add_row(
            str(row.id),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            row.created_by,
            "●" if row.is_active else "",
            row.comment,
        )
    console.print(table)
