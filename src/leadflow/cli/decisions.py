"""`leadflow explain` and `leadflow replay`: why a lead went where it went, and what a
configuration would have decided for past leads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from leadflow.cli.shell import Failure, console, friendly, parse_day, read_text, run, with_store

if TYPE_CHECKING:
    from leadflow.services.assignment.decisions import LeadDecisions
    from leadflow.services.assignment.replays import PeriodReport
    from leadflow.storage.store import Store


@friendly
def explain(
    lead_id: Annotated[int, typer.Argument(metavar="LEAD_ID")],
    agent: Annotated[str | None, typer.Option(help="also answer: why not this agent?")] = None,
) -> None:
    """Print why a lead went where it went (and its later changes)."""
    from leadflow.services.assignment import decisions
    from leadflow.services.configuration.organisation import LiveOrganisation

    async def work(store: Store) -> tuple[LeadDecisions, str | None]:
        found = await decisions.decisions_of(store, lead_id)
        answer = None
        if agent is not None:
            known = (await LiveOrganisation().get(store)).configuration.agents
            if all(a.key != agent for a in known):
                raise Failure(f"no agent {agent!r} in the active configuration")
            answer = (
                await decisions.answer_why_not(store, LiveOrganisation(), lead_id, agent)
            ).text
        return found, answer

    found, answer = run(with_store(work, commit=False))
    _print_decisions(found)
    if answer is not None:
        console.print(f"[bold]why not {agent}?[/bold] {answer}")


def _print_decisions(found: LeadDecisions) -> None:
    from leadflow.routing import Decision
    from leadflow.services.assignment import decisions

    lead = found.lead
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or "(no name)"
    console.print(
        f"[bold]lead {lead.id}[/bold] {name} · {lead.source} · {lead.country or '?'} · "
        f"{lead.language or '?'} · {lead.treatment or 'no treatment'} · received "
        f"{lead.received_at:%Y-%m-%d %H:%M %Z}"
    )
    if found.routing is None:
        console.print("not routed yet")
    else:
        console.print(Decision.from_trace(found.routing.trace).explain(), markup=False)
    for change in decisions.history_view(found)[1:]:
        console.print(
            f"then {change['decided_at'][:16]} {change['kind']}: {change['previous_agent']} → "
            f"{change['agent']} ({change['reason']})",
            markup=False,
        )


@friendly
def replay_command(
    start: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-05-01")],
    end: Annotated[str, typer.Option("--to", help="last day (inclusive)")],
    config: Annotated[
        Path | None, typer.Option("--config", help="a draft configuration YAML to compare")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="a stored configuration version to compare")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Replay past leads as they happened (queue releases, SLA moves, staff changes) under the
    configurations then in force, and beside them a draft; nothing is stored."""
    import json

    from leadflow.services.assignment import replays
    from leadflow.services.configuration import versions as configuration

    draft = configuration.parse_yaml(read_text(str(config)), str(config)) if config else None
    since, until = parse_day(start), parse_day(end, end=True)
    if until <= since:
        raise typer.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    try:
        replays.check_period(since, until)
    except replays.BadPeriod as bad:
        raise typer.BadParameter(str(bad), param_hint=f"--{bad.field}") from None

    async def work(store: Store) -> PeriodReport:
        return await replays.replay(
            store, start=since, end=until, draft=draft, draft_version=version
        )

    with console.status("replaying…"):
        try:
            result = run(with_store(work, commit=False))
        except replays.BadPeriod as bad:
            option = "--version" if bad.field == "draft_version" else f"--{bad.field}"
            raise typer.BadParameter(str(bad), param_hint=option) from None
    if result.leads == 0:
        raise Failure(f"no leads were received from {start} to {end}: nothing to replay")
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    from leadflow.cli.replay_tables import replay_tables

    for table in replay_tables(result):
        console.print(table)
