"""`leadflow channels`: the connectors that bring leads in, their health and their events.

The group's commands, in the order `leadflow channels --help` lists them; the connectors' in
`connectors.py`, the events' in `events.py`, the tables both show in `printing.py`.
"""

from __future__ import annotations

import typer

from leadflow.cli.channels import connectors, events

app = typer.Typer(help="Channels in: connectors, their health and events.", no_args_is_help=True)

app.command("list")(connectors.channels_list)
app.command("health")(connectors.channels_health)
app.command("add")(connectors.channels_add)
app.command("show")(connectors.channels_show)
app.command("events")(events.channels_events)
app.command("replay")(events.channels_replay)
app.command("test")(connectors.channels_test)
app.command("templates")(connectors.channels_templates)
app.command("backfill")(events.channels_backfill)
