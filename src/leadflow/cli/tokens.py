"""`leadflow token`: API tokens for the systems that send leads or read decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import Failure, console, friendly, run, with_store

app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)

SCOPE_HELP = (
    "what the token may do (repeat for several): intake (submit leads), read (leads, decisions, "
    "queue, roster, simulation), work (record activities, reassign), configuration (read, "
    "apply, roll back). Default: intake only, the least privilege a lead source needs"
)


@app.command("create")
@friendly
def token_create(
    name: Annotated[str, typer.Argument(help="who uses it, e.g. meta-ads")],
    scope: Annotated[list[str] | None, typer.Option(help=SCOPE_HELP)] = None,
) -> None:
    """Create an API token; it is printed once, only its hash is stored."""
    from leadflow.services.access import tokens
    from leadflow.services.access.scoping import LEAST_PRIVILEGE, Scope

    known = [s.value for s in Scope]
    unknown = [s for s in scope or [] if s not in known]
    if unknown:
        raise Failure(f"unknown scope {unknown[0]!r}; known: {', '.join(known)}")
    scopes = frozenset(Scope(s) for s in scope) if scope else LEAST_PRIVILEGE
    issued = run(with_store(lambda store: tokens.issue(store, name, scopes)))
    console.print(
        f"token for [bold]{issued.name}[/bold] with scopes "
        f"{', '.join(tokens.ordered(issued.scopes))} (store it now, it is not shown again):"
    )
    print(issued.secret)


@app.command("list")
@friendly
def token_list() -> None:
    """List API tokens with their scopes (never their secrets)."""
    from leadflow.services.access import token_admin

    lines = run(with_store(token_admin.list_tokens, commit=False))
    table = Table(title="API tokens")
    for column in ("name", "prefix", "scopes", "created", "revoked"):
        table.add_column(column)
    for line in lines:
        revoked = f"{line.revoked_at:%Y-%m-%d %H:%M}" if line.revoked_at else ""
        table.add_row(
            line.name, line.prefix, ", ".join(line.scopes), f"{line.created_at:%Y-%m-%d}", revoked
        )
    console.print(table)


@app.command("revoke")
@friendly
def token_revoke(name: str) -> None:
    """Revoke an API token by name."""
    from leadflow.services.access import tokens

    if not run(with_store(lambda store: tokens.revoke(store, name, datetime.now(UTC)))):
        raise Failure(f"no live token named {name!r}")
    console.print(f"revoked {name}")
