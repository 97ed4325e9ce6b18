"""What the automation engine costs per event, in CPU, on the pure path.

Builds the demo organisation's configuration with its automations (and, to be harsh, 20 more
with conditions over routing and workflow fields), then plans a mix of events (answered and
failed calls, offer notes, messages, stage entries, idle sweeps) for leads in every stage, and
cascades each through the automations with a ledger, as the dry run does. Prints the CPU time
per event (process time, best of `--rounds`), the plans fired, and the machine's loop step.

    .venv/bin/python bench/automation.py [--events 50000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, os.path.dirname(__file__))

from leadflow.domain.configuration import Configuration
from leadflow.workflow.automation import Automations, Event, LeadState, Ledger, cascade
from machine import loop_ns

DEMO = Path(__file__).parent.parent / "src/leadflow/demo/organisation.yaml"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


DEFAULTS = [
    {
        "key": "first-answered-call",
        "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
        "when": {"field": "stage", "op": "equals", "value": "new"},
        "do": [{"do": "move_to_stage", "stage": "contacted"}],
    },
    {
        "key": "offer-note",
        "trigger": {"event": "activity_logged", "kind": "note", "note_type": "offer"},
        "do": [{"do": "move_to_stage", "stage": "offer_sent"}],
    },
    {
        "key": "unreachable",
        "trigger": {"event": "failed_attempts", "count": 6, "within_days": 3},
        "do": [
            {"do": "move_to_stage", "stage": "lost", "lost_reason": "unreachable"},
            {"do": "create_task", "title": "Last follow-up", "due_in_working_minutes": 60},
        ],
    },
    {
        "key": "idle",
        "trigger": {"event": "no_activity", "working_hours": 28},
        "do": [{"do": "notify", "who": "team_lead", "message": "No activity for two days"}],
    },
]
"""The issue's default automations, used when the demo configuration has none."""


def configuration(extra: int) -> Configuration:
    document: dict[str, Any] = yaml.safe_load(DEMO.read_text())
    stages = {s if isinstance(s, str) else s["key"] for p in document["pipelines"]
              for s in p.get("stages", ["new", "contacted"])}  # fmt: skip
    target = "contacted" if "contacted" in stages else sorted(stages)[0]
    if not document.get("automations"):
        document["automations"] = [dict(a) for a in DEFAULTS]
    for i in range(extra):
        document["automations"].append(
            {
                "key": f"extra-{i}",
                "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
                "when": {
                    "all": [
                        {"field": "country", "op": "in", "values": ["DE", "AT", "CH", f"X{i}"]},
                        {"field": "stage", "op": "equals", "value": f"stage-{i}"},
                        {"field": "budget", "op": "range", "min": 1000 + i},
                    ]
                },
                "do": [{"do": "move_to_stage", "stage": target}],
            }
        )
    return Configuration.model_validate(document)


def events(config: Configuration, count: int, seed: int = 7) -> list[Event]:
    rng = random.Random(seed)
    pipelines = config.pipelines
    out = []
    for n in range(count):
        pipeline = rng.choice(pipelines)
        stage = rng.choice([s.key for s in pipeline.stages if not s.closes])
        lead = LeadState(
            id=n,
            pipeline=pipeline.key,
            stage=stage,
            owner="anna.schmidt",
            closed=False,
            received_at=NOW - timedelta(days=rng.randint(0, 20)),
            values={"source": "meta", "country": rng.choice(["DE", "GB", "TR"]), "budget": 5000.0},
            custom={},
        )
        kind = rng.choice(["call", "call", "note", "message", "stage", "idle", "attempts"])
        at = NOW - timedelta(minutes=rng.randint(0, 600))
        if kind == "call":
            outcome = rng.choice(["answered", "no_answer", "busy"])
            out.append(Event("activity_logged", f"a:{n}", lead, at, activity_kind="call",
                             outcome=outcome))  # fmt: skip
        elif kind == "note":
            out.append(Event("activity_logged", f"a:{n}", lead, at, activity_kind="note",
                             note_type=rng.choice(["offer", "info"])))  # fmt: skip
        elif kind == "message":
            out.append(Event("message_received", f"m:{n}", lead, at, channel="whatsapp"))
        elif kind == "stage":
            out.append(Event("stage_entered", f"s:{n}", lead, at, stage=stage))
        elif kind == "idle":
            out.append(Event("no_activity", f"i:{n}", lead, at,
                             idle_working_hours=rng.uniform(0, 60)))  # fmt: skip
        else:
            times = tuple(at - timedelta(hours=h * 9) for h in range(rng.randint(1, 8)))
            out.append(Event("failed_attempts", f"f:{n}", lead, at,
                             failed_attempt_times=times[::-1]))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--extra", type=int, default=20, help="automations added to the demo's")
    args = parser.parse_args()
    config = configuration(args.extra)
    stream = events(config, args.events)
    best = float("inf")
    fired = 0
    for _ in range(args.rounds):
        automations = Automations(config)
        ledger = Ledger()
        fired = 0
        started = time.process_time()
        for event in stream:
            for _plan in cascade(automations, event, ledger):
                fired += 1
        best = min(best, time.process_time() - started)
    print(f"automations: {len(config.automations)} ({args.extra} extra with conditions)")
    print(f"events: {len(stream):,}, plans fired: {fired:,}")
    print(
        f"CPU per event: {best / len(stream) * 1e6:.1f} µs (best of {args.rounds}; target < 1 ms)"
    )
    print(f"machine loop step: {loop_ns():.1f} ns")


if __name__ == "__main__":
    main()
