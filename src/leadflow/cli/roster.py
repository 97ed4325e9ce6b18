"""`leadflow roster` and `leadflow queue`: who can take leads now, and the leads waiting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import Failure, console, friendly, parse_moment, run, with_store

if TYPE_CHECKING:
    from leadflow.services.work.rota import AgentNow
    from leadflow.storage.store import Store


@friendly
def roster(
    at: Annotated[
        str | None, typer.Option(help="a moment (ISO, default now; no zone = UTC)")
    ] = None,
    team: Annotated[str | None, typer.Option(help="only this team")] = None,
    on_leave: Annotated[bool, typer.Option(help="only agents with leave this week")] = False,
) -> None:
    """Who is on shift now, who is on leave this week, each agent's next availability."""
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.work import rota

    moment = parse_moment(at)

    async def work(store: Store) -> list[AgentNow]:
        organisation = await LiveOrganisation().get(store)
        teams = [t.key for t in organisation.configuration.teams]
        if team is not None and team not in teams:
            raise Failure(f"no team {team!r}; the teams are {', '.join(teams)}")
        return rota.rota(organisation, moment, team=team)

    agents = run(with_store(work, commit=False))
    if on_leave:
        agents = [a for a in agents if a.leave_this_week]
    table = Table(title=f"roster at {moment:%Y-%m-%d %H:%M %Z}")
    for column in (
        "agent",
        "team",
        "local time",
        "now",
        "why",
        "next available",
        "leave this week",
    ):
        table.add_column(column)
    for agent in agents:
        table.add_row(
            agent.key,
            agent.team,
            agent.local_time,
            "[green]on shift[/green]" if agent.available else "[dim]away[/dim]",
            str(agent.detail) or ("" if agent.available else agent.reason or ""),
            f"{agent.next_available_at:%a %d %b %H:%M} UTC" if agent.next_available_at else "",
            ", ".join(f"{x['type']} {x['start']}…{x['end']}" for x in agent.leave_this_week),
        )
    console.print(table)


@friendly
def queue_command() -> None:
    """Leads waiting for an agent (queued, unassigned or unrouted), most urgent and oldest first:
    the leads the dashboards count as waiting."""
    from leadflow.services.assignment import queue

    found = run(
        with_store(
            lambda store: queue.waiting(store, datetime.now(UTC), everything=True), commit=False
        )
    )
    shown = f" (the first {len(found.leads)} listed)" if len(found.leads) < found.total else ""
    table = Table(title=f"{found.total} leads waiting{shown}")
    for column in ("lead", "status", "pipeline", "priority", "received", "waiting"):
        table.add_column(column)
    for item in found.leads:
        table.add_row(
            str(item.lead_id),
            item.routing_status,
            item.pipeline or "",
            str(item.priority),
            f"{item.received_at:%Y-%m-%d %H:%M}",
            item.age,
        )
    console.print(table)
