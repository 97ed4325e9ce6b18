"""`leadflow automation replay`: what the automation rules would have done to past leads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import console, friendly, parse_day, progress, read_text, run, with_store

if TYPE_CHECKING:
    from leadflow.services.workflow.replay import AutomationReplay
    from leadflow.storage.store import Store

app = typer.Typer(help="Automation rules: try them on past leads.", no_args_is_help=True)


@app.command("replay")
@friendly
def replay(
    start: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-11-01")],
    end: Annotated[str, typer.Option("--to", help="last day (inclusive)")],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="a draft configuration YAML whose rules to try instead"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Replay the period's leads through the automation rules, with no side effects: how often
    each rule fires and fails, where it moves leads, and a sample."""
    from leadflow.services.configuration import versions as configuration
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.workflow.replay import replay_automations

    draft = configuration.parse_yaml(read_text(str(config)), str(config)) if config else None
    since, until = parse_day(start), parse_day(end, end=True)
    if until <= since:
        raise typer.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")

    with progress() as bar:
        task = bar.add_task("replaying leads", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def work(store: Store) -> AutomationReplay:
            return await replay_automations(
                store, LiveOrganisation(), start=since, end=until, draft=draft, progress=advance
            )

        result = run(with_store(work, commit=False))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    for table in _tables(result):
        console.print(table)


def _tables(result: AutomationReplay) -> list[Table]:
    which = "a draft" if result.version is None else f"version {result.version}"
    rules = Table(title=f"{result.leads:,} leads, {result.events:,} events, rules of {which}")
    for column in ("rule", "fired", "failed"):
        rules.add_column(column, justify="left" if column == "rule" else "right")
    for key, count in result.rules.items():
        rules.add_row(key, f"{count.fired:,}", f"{count.failed:,}")
    moves = Table(title="stages the rules moved leads into")
    moves.add_column("stage")
    moves.add_column("leads", justify="right")
    for stage, times in result.moves.most_common():
        moves.add_row(stage, f"{times:,}")
    samples = Table(title="a sample")
    for column in ("lead", "when", "event", "rule", "what it did"):
        samples.add_column(column)
    for sample in result.samples:
        did = f"failed: {sample.failure}" if sample.failure else "; ".join(sample.effects)
        samples.add_row(
            str(sample.lead_id), sample.at.isoformat(timespec="minutes"), sample.event,
            sample.automation, did,
        )  # fmt: skip
    return [rules, moves, samples]
