"""`leadflow`: every operation from the terminal. Commands call services; errors exit non-zero.

This module is the table of contents: it builds the Typer app and registers each command in
the order `leadflow --help` lists them; each command lives in the module of its feature.
"""

from __future__ import annotations

import sys

import typer

from leadflow.cli import (
    automation,
    channels,
    configuration,
    demo,
    forms,
    help,
    intake,
    operations,
    outbox,
    roster,
    tokens,
    users,
)
from leadflow.cli.decisions import decisions

help.use_words()
app = typer.Typer(
    help="Leadflow: route every inbound lead to the right sales representative, explained.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.command()(operations.migrate)
app.command()(operations.serve)
app.command()(demo.demo)
app.command()(operations.worker)
app.command()(decisions.explain)
app.command("replay")(decisions.replay_command)
app.command()(roster.roster)
app.command("queue")(roster.queue_command)
app.command()(operations.tick)

app.add_typer(tokens.app, name="token")
app.add_typer(forms.app, name="form")
app.add_typer(intake.import_app, name="import")
app.add_typer(intake.deadletter_app, name="deadletter")
app.add_typer(configuration.app, name="config")
app.add_typer(users.app, name="user")
app.add_typer(outbox.app, name="outbox")
app.add_typer(automation.app, name="automation")
app.add_typer(channels.app, name="channels")


def main() -> None:  # pragma: no cover - console entry point alternative
    app(sys.argv[1:])
