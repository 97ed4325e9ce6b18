"""Rich tables for the terminal reports of `leadflow replay`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from leadflow.services.assignment.replays import PeriodReport

SHOWN = 20
"""Differences and changed leads listed one by one (the JSON has them all)."""


def replay_tables(result: PeriodReport) -> list[Table]:
    """Agreement with history and why leads differ, then what the draft would change."""
    agreed = result.agreement
    versions = ", ".join(str(v) for v in result.live_versions)
    summary = Table(title=f"replay of {result.leads} leads under version {versions}")
    summary.add_column("")
    summary.add_column("leads", justify="right")
    summary.add_row("same agent as history", f"{agreed.same} of {agreed.leads}")
    summary.add_row("agreement", f"{100 * agreed.share:.2f} %")
    for move, count in agreed.by_move().items():
        summary.add_row(f"different, first at: {move}", str(count))
    tables = [summary]
    if agreed.differences:
        tables.append(_differences(result))
    if result.comparison is not None:
        tables.extend(_comparison(result))
    return tables


def _differences(result: PeriodReport) -> Table:
    table = Table(title="leads the replay gave to someone else (first differing move)")
    for column in ("lead", "history", "replay", "move", "at"):
        table.add_column(column)
    for found in result.agreement.differences[:SHOWN]:
        table.add_row(
            str(found.lead),
            found.history or "—",
            found.replay or "—",
            found.move.value,
            f"{found.at:%Y-%m-%d %H:%M}",
        )
    return table


def _comparison(result: PeriodReport) -> list[Table]:
    found = result.comparison
    assert found is not None
    summary = Table(title=f"draft (version {result.draft_version}) against live")
    summary.add_column("")
    summary.add_column("live", justify="right")
    summary.add_column("draft", justify="right")
    summary.add_row("leads to another agent", "", f"{len(found.changed)} of {found.leads}")
    summary.add_row("SLA reassignments", str(found.sla.live_moves), str(found.sla.draft_moves))
    summary.add_row("waiting at the end", str(found.sla.live_queued), str(found.sla.draft_queued))
    agents = Table(title="per agent: leads given (every move) and held at the end")
    for column in ("agent", "live", "draft", "Δ", "held live", "held draft"):
        agents.add_column(column, justify="left" if column == "agent" else "right")
    for line in found.agents:
        agents.add_row(
            line.agent,
            str(line.live),
            str(line.draft),
            f"{line.draft - line.live:+d}",
            str(line.live_owned),
            str(line.draft_owned),
        )
    return [summary, agents]
