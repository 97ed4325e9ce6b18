"""`leadflow user`: the people who sign in to the web interface."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from leadflow.cli.shell import Failure, console, friendly, run, with_store

app = typer.Typer(help="People who sign in to the web interface.", no_args_is_help=True)


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("create")
@friendly
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin, manager, team_lead or agent")],
    team: Annotated[
        list[str] | None, typer.Option(help="a team a team lead runs (repeat for several)")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="the agent key an agent user is")] = None,
    name: Annotated[str | None, typer.Option(help="display name; default: from the e-mail")] = None,
    locale: Annotated[str, typer.Option(help="en or tr")] = "en",
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "Europe/Istanbul",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user who signs in to the web interface (the password is asked for)."""
    from leadflow.services.access import users

    password = _new_password(password_stdin)
    new = users.NewUser(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        role=role,
        password=password,
        team_keys=tuple(team or ()),
        agent_key=agent,
        locale=locale,
        timezone=timezone,
    )
    try:
        account = run(with_store(lambda store: users.create_user(store, new, actor="cli")))
    except users.AccountError as exc:
        raise Failure(str(exc)) from None
    console.print(f"[green]{account.email} ({account.role.value}) can now sign in[/green]")


@app.command("password")
@friendly
def user_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a user's password (their sessions end)."""
    from leadflow.services.access import users

    password = _new_password(password_stdin)
    try:
        run(with_store(lambda store: users.set_password(store, email, password, actor="cli")))
    except users.AccountError as exc:
        raise Failure(str(exc)) from None
    console.print(f"[green]password of {email} changed[/green]")
