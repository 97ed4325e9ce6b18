"""The real data the demo's month is drawn from (../shared/data, kept outside the repository).

- Calls: the Technion call center's January 1999 log. Each served call gives a talk time
  (`ser_time`), the caller's queue wait (`q_time`) and the seconds before the call reached the
  queue (`vru_time`); each abandoned call gives how long the caller waited before giving up.
  The log records no hold or after-call work time, so the demo leaves those unknown.
- The funnel: Maven Analytics' CRM sample (`sales_pipeline.csv`): the share of opportunities
  that reached Engaging, the share of the ended ones that were won, and the days from engaging
  to closing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CALLS_FILE = Path("technion-callcenter") / "january.txt"
PIPELINE_FILE = Path("maven-crm") / "sales_pipeline.csv"


class SamplesMissing(FileNotFoundError):
    """The shared data folder is not where the demo looks for it."""


@dataclass(frozen=True)
class ServedCall:
    talk_s: int
    queue_s: int
    vru_s: int


@dataclass(frozen=True)
class Funnel:
    """Counts from a real pipeline: opportunities, how many reached the second stage (engaged,
    whatever happened next), won, lost, and the engage-to-close days of the won and lost ones."""

    opportunities: int
    engaged: int
    won: int
    lost: int
    won_days: tuple[int, ...]
    lost_days: tuple[int, ...]

    @property
    def reach_rate(self) -> float:
        return self.engaged / self.opportunities

    @property
    def won_share(self) -> float:
        """Of the opportunities that ended: the open ones are open because the data's snapshot
        cut them, as `now` cuts the demo's month."""
        return self.won / (self.won + self.lost)


@dataclass(frozen=True)
class Samples:
    served: tuple[ServedCall, ...]
    abandoned_wait_s: tuple[int, ...]
    funnel: Funnel


def read(folder: Path = DATA) -> Samples:
    """The call samples and the funnel; SamplesMissing names the file that is absent."""
    for name in (CALLS_FILE, PIPELINE_FILE):
        if not (folder / name).exists():
            raise SamplesMissing(f"{folder / name} is absent (the shared data folder)")
    served, abandoned = _calls(folder / CALLS_FILE)
    return Samples(served, abandoned, _funnel(folder / PIPELINE_FILE))


def _calls(path: Path) -> tuple[tuple[ServedCall, ...], tuple[int, ...]]:
    """Served calls with a conversation (talk > 0) and abandoned calls' waits; PHANTOM calls and
    malformed rows are skipped."""
    served: list[ServedCall] = []
    abandoned: list[int] = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            try:
                talk, queue, vru = int(row["ser_time"]), int(row["q_time"]), int(row["vru_time"])
            except (TypeError, ValueError):
                continue
            if row["outcome"] == "AGENT" and talk > 0:
                served.append(ServedCall(talk, queue, vru))
            elif row["outcome"] == "HANG" and queue > 0:
                abandoned.append(queue)
    return tuple(served), tuple(abandoned)


def _funnel(path: Path) -> Funnel:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stages = [row["deal_stage"] for row in rows]
    return Funnel(
        opportunities=len(rows),
        engaged=sum(1 for stage in stages if stage != "Prospecting"),
        won=stages.count("Won"),
        lost=stages.count("Lost"),
        won_days=_days(rows, "Won"),
        lost_days=_days(rows, "Lost"),
    )


def _days(rows: list[dict[str, str]], stage: str) -> tuple[int, ...]:
    return tuple(
        (date.fromisoformat(row["close_date"]) - date.fromisoformat(row["engage_date"])).days
        for row in rows
        if row["deal_stage"] == stage and row["close_date"] and row["engage_date"]
    )
