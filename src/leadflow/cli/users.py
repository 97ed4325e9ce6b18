"""`leadflow user`: the people who sign in to the web interface."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from leadflow.cli.shell import Failure, console, friendly, run, with_store

if TYPE_CHECKING:
    from leadflow.services.access import users
    from leadflow.storage.store import Store

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

    async def work(store: Store) -> users.Account:
        await _known_to_configuration(store, agent, team or [])
        return await users.create_user(store, new, actor="cli")

    try:
        account = run(with_store(work))
    except users.AccountError as exc:
        raise Failure(str(exc)) from None
    console.print(f"[green]{account.email} ({account.role.value}) can now sign in[/green]")


async def _known_to_configuration(store: Store, agent: str | None, teams: list[str]) -> None:
    """The agent and teams a user is linked to exist in the active configuration: a user linked
    to nothing signs in to pages that refuse them. Before any configuration there is nothing
    to check against (the first accounts may well come first)."""
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.configuration.versions import NoConfiguration

    try:
        configuration = (await LiveOrganisation().get(store)).configuration
    except NoConfiguration:
        return
    agents = {a.key for a in configuration.agents}
    if agent is not None and agent not in agents:
        raise Failure(f"--agent: no agent {agent!r} in the active configuration")
    known = [t.key for t in configuration.teams]
    if unknown := [t for t in teams if t not in known]:
        raise Failure(f"--team: no team {', '.join(map(repr, unknown))}; the teams are "
                      f"{', '.join(known)}")  # fmt: skip


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
