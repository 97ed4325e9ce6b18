"""`leadflow form`: website forms: create, list, edit, disable and enable, print the embed
snippet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import Failure, console, friendly, run, with_store

if TYPE_CHECKING:
    from leadflow.storage.store import Store

app = typer.Typer(help="Website forms: key, allowed origins, field mapping.", no_args_is_help=True)

ORIGIN_HELP = "an origin allowed to post, e.g. https://clinic.example (repeat for several)"
MAP_HELP = "page_field=lead_field or page_field=custom.NAME (repeat for several)"


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    from leadflow.domain.web_forms import parse_mapping

    if pairs is None:
        return None
    if bad := [pair for pair in pairs if "=" not in pair]:
        raise Failure(f"--map {bad[0]!r}: write page_field=lead_field")
    return parse_mapping("\n".join(pairs))


@app.command("create")
@friendly
def form_create(
    key: Annotated[str, typer.Argument(help="the slug in the post URL /api/v1/forms/KEY")],
    name: Annotated[str, typer.Option(help="what admins call it")],
    origin: Annotated[list[str] | None, typer.Option(help=ORIGIN_HELP)] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help=MAP_HELP)] = None,
) -> None:
    """Create a website form."""
    from leadflow.domain.web_forms import WebFormSpec
    from leadflow.services.intake import web_forms

    spec = WebFormSpec(key, name, tuple(origin or ()), _mapping(map_) or {})
    now = datetime.now(UTC)
    form = run(with_store(lambda store: web_forms.create(store, spec, actor="cli", now=now)))
    console.print(f"created form [bold]{form.key}[/bold]: posts to /api/v1/forms/{form.key}")


@app.command("list")
@friendly
def form_list() -> None:
    """List website forms with their refused posts."""
    from leadflow.services.intake import web_forms

    lines = run(with_store(web_forms.list_forms, commit=False))
    table = Table(title="Web forms")
    for column in ("key", "name", "enabled", "origins", "fields", "honeypot", "origin", "rate"):
        table.add_column(column)
    for line in lines:
        table.add_row(
            line.key,
            line.name,
            "yes" if line.enabled else "no",
            ", ".join(line.allowed_origins) or "any",
            ", ".join(f"{k}→{v}" for k, v in line.field_map.items()),
            str(line.refused_spam),
            str(line.refused_origin),
            str(line.refused_rate),
        )
    console.print(table)


@app.command("edit")
@friendly
def form_edit(
    key: str,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    origin: Annotated[
        list[str] | None, typer.Option(help=ORIGIN_HELP + "; replaces the list")
    ] = None,
    any_origin: Annotated[bool, typer.Option(help="allow posts from any origin")] = False,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help=MAP_HELP + "; replaces the mapping")
    ] = None,
    enable: Annotated[bool | None, typer.Option("--enable/--disable")] = None,
) -> None:
    """Change a form's name, origins, mapping or whether it takes posts."""
    from leadflow.domain.web_forms import WebFormSpec
    from leadflow.services.intake import web_forms

    mapping = _mapping(map_)
    now = datetime.now(UTC)

    async def edit(store: Store) -> web_forms.FormLine:
        current = await web_forms.get(store, key)
        origins = () if any_origin else tuple(origin) if origin else current.allowed_origins
        spec = WebFormSpec(
            key=key,
            name=current.name if name is None else name,
            allowed_origins=origins,
            field_map=current.field_map if mapping is None else mapping,
            enabled=current.enabled if enable is None else enable,
        )
        return await web_forms.update(store, spec, actor="cli", now=now)

    form = run(with_store(edit))
    console.print(f"changed form [bold]{form.key}[/bold]")


@app.command("disable")
@friendly
def form_disable(key: str) -> None:
    """Stop taking posts from a form (they are answered 404)."""
    from leadflow.services.intake import web_forms

    now = datetime.now(UTC)
    run(with_store(lambda store: web_forms.set_enabled(store, key, False, actor="cli", now=now)))
    console.print(f"disabled form [bold]{key}[/bold]")


@app.command("snippet")
@friendly
def form_snippet(
    key: str,
    base_url: Annotated[
        str, typer.Option(help="Leadflow's public URL")
    ] = "https://leadflow.example",
) -> None:
    """Print the HTML to paste into the page."""
    from leadflow.domain import web_forms as pages
    from leadflow.services.intake import web_forms

    form = run(with_store(lambda store: web_forms.get(store, key), commit=False))
    action = f"{base_url.rstrip('/')}/api/v1/forms/{form.key}"
    print(pages.embed_snippet(action, form.field_map, pages.ENGLISH_LABELS, "Send"))
