"""`leadflow roster` and `leadflow queue`: who can take leads now, and the leads waiting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from leadflow.cli.lang import Lang, chosen
from leadflow.cli.shell import Failure, console, friendly, parse_moment, run, with_store
from leadflow.domain.reasons import N_, Reason, at_moment
from leadflow.locale.catalogs import translations

if TYPE_CHECKING:
    from leadflow.services.work.rota import AgentNow
    from leadflow.storage.store import Store


_COLUMNS = (
    N_("Agent"), N_("Team"), N_("Local time"), N_("Now"), N_("Why"), N_("Next available"),
    N_("Leave this week"),
)  # fmt: skip


@friendly
def roster(
    at: Annotated[
        str | None, typer.Option(help="a moment (ISO, default now; no zone = UTC)")
    ] = None,
    team: Annotated[str | None, typer.Option(help="only this team")] = None,
    on_leave: Annotated[bool, typer.Option(help="only agents with leave this week")] = False,
    lang: Lang = None,
) -> None:
    """Who is on shift now, who is on leave this week, each agent's next availability (in the
    reader's language, moments in the organisation's time zone)."""
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.work import rota

    moment = parse_moment(at)

    async def work(store: Store) -> tuple[list[AgentNow], str, ZoneInfo]:
        organisation = await LiveOrganisation().get(store)
        settings = organisation.configuration.organisation
        locale = chosen(lang, settings.locale)
        teams = [t.key for t in organisation.configuration.teams]
        if team is not None and team not in teams:
            words = translations(locale).gettext(N_("no team %(team)s; the teams are %(teams)s"))
            raise Failure(words % {"team": repr(team), "teams": ", ".join(teams)})
        return rota.rota(organisation, moment, team=team), locale, ZoneInfo(settings.timezone)

    agents, locale, zone = run(with_store(work, commit=False))
    if on_leave:
        agents = [a for a in agents if a.leave_this_week]
    console.print(_roster_table(agents, moment, locale, zone))


def _roster_table(agents: list[AgentNow], moment: datetime, locale: str, zone: ZoneInfo) -> Table:
    from leadflow.locale.speech import say

    words = translations(locale).gettext
    table = Table(
        title=words(N_("Roster at %(at)s")) % {"at": say(at_moment(moment, zone), locale)}
    )
    for column in _COLUMNS:
        table.add_column(words(column))
    on_shift = "[green]" + words(N_("on shift")) + "[/green]"
    away = "[dim]" + words(N_("away")) + "[/dim]"
    for agent in agents:
        detail = say(agent.detail, locale) if isinstance(agent.detail, Reason) else agent.detail
        now = on_shift if agent.available else away
        table.add_row(
            agent.key,
            agent.team,
            agent.local_time,
            now,
            detail or ("" if agent.available else agent.reason or ""),
            say(at_moment(agent.next_available_at, zone), locale) if agent.next_available_at
            else "",
            ", ".join(f"{say(Reason('leave.' + x['type']), locale)} {x['start']}…{x['end']}"
                      for x in agent.leave_this_week),
        )  # fmt: skip
    return table


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
