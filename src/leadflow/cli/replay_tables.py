"""Rich tables for the terminal reports of `leadflow replay`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from leadflow.routing.replay_report import AgentLine
    from leadflow.services.assignment.simulation import PeriodReplay


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def replay_tables(result: PeriodReplay) -> list[Table]:
    """Outcomes, then one row per agent: live vs draft shares, targets and caps hit."""
    live, draft = result.live, result.draft
    summary = Table(title=f"replay of {result.leads} leads (live = version {result.live_version})")
    summary.add_column("")
    summary.add_column("live", justify="right")
    if draft:
        summary.add_column("draft", justify="right")
    for outcome in live.outcomes:
        row = [outcome, str(live.outcomes[outcome])]
        if draft:
            row.append(str(draft.outcomes.get(outcome, 0)))
        summary.add_row(*row)
    history = [
        "different agent than history",
        f"{live.different} of {live.compared}",
    ]
    if draft:
        history.append(f"{draft.different} of {draft.compared}")
    summary.add_row(*history)

    agents = Table(title="per agent: leads, share of pool leads against target, caps hit")
    for column in ("agent", "live", "share", "target", "caps hit"):
        agents.add_column(column, justify="left" if column == "agent" else "right")
    if draft:
        for column in ("draft", "share", "target", "caps hit", "Δ"):
            agents.add_column(column, justify="right")
    drafted = {line.agent: line for line in draft.agents} if draft else {}
    names = sorted({line.agent for line in live.agents} | set(drafted))
    current = {line.agent: line for line in live.agents}
    for name in names:
        row = [name, *_agent_cells(current.get(name))]
        if draft:
            other = drafted.get(name)
            row += _agent_cells(other)
            before = current[name].assigned if name in current else 0
            row.append(f"{(other.assigned if other else 0) - before:+d}")
        agents.add_row(*row)
    return [summary, agents]


def _agent_cells(line: AgentLine | None) -> list[str]:
    if line is None:
        return ["0", "", "", ""]
    caps = ", ".join(f"{k.removeprefix('cap_')} {v}" for k, v in sorted(line.caps_hit.items()))
    return [str(line.assigned), _pct(line.share), _pct(line.target_share), caps]
