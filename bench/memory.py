"""Server memory: RSS (and PSS, which divides shared pages among the processes sharing them) of
each `leadflow serve` process after warm-up and after a number of leads (issue 18: < 300 MB RSS
after warm-up and 3,000 leads).

Starts `leadflow serve --workers N` on a fresh database with the demo organisation (8 served
languages), waits until every server process has warmed up (compiled configuration, language
detector), reads each process's memory from /proc, sends the leads from 8 keep-alive connections
(`bench/intake.py`'s client), reads it again. The last line is `RESULT name=value …`.

    .venv/bin/python bench/memory.py [--leads 3000] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from harness import serving
from intake import process_stats, send_all


def memory_mb(pid: int) -> tuple[float, float]:
    """RSS and PSS of `pid` in MB (/proc/PID/smaps_rollup)."""
    figures = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                figures[name] = int(rest.split()[0]) / 1024
    return figures["Rss"], figures["Pss"]


def server_processes(supervisor: int) -> list[int]:
    """The processes serving requests: the supervisor's children with several workers (uvicorn
    spawns them; the resource tracker it also spawns is left out), else the supervisor itself."""
    children = [pid for pid, (parent, _, _) in process_stats().items() if parent == supervisor]
    serving = [pid for pid in children if b"resource_tracker" not in command_line(pid)]
    return sorted(serving) or [supervisor]


def command_line(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def wait_for_warm_up(supervisor: int, workers: int) -> list[int]:
    """The server processes once each has warmed up: uvicorn starts serving as soon as one
    process is ready, so wait until every process's memory has stopped growing (5 s)."""
    deadline = time.monotonic() + 300
    last: dict[int, float] = {}
    steady = 0
    while time.monotonic() < deadline:
        time.sleep(1)
        pids = server_processes(supervisor)
        now = {pid: memory_mb(pid)[0] for pid in pids}
        settled = now.keys() == last.keys() and all(abs(now[p] - last[p]) < 1 for p in now)
        steady = steady + 1 if len(pids) == workers and settled else 0
        if steady == 5:
            return pids
        last = now
    raise SystemExit(f"{workers} server processes did not settle within 5 minutes")


def report(stage: str, pids: list[int]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for index, pid in enumerate(pids):
        rss, pss = memory_mb(pid)
        figures[f"{stage}_rss_mb_{index}"] = rss
        figures[f"{stage}_pss_mb_{index}"] = pss
        print(f"{stage}: process {pid} RSS {rss:.0f} MB, PSS {pss:.0f} MB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    # Language models load slowly on a loaded machine: up to 5 minutes to start.
    with serving(args.workers, patience=300) as (server, port, token):
        pids = wait_for_warm_up(server.pid, args.workers)
        results = report("ready", pids)
        sent = asyncio.run(send_all(port, token, args.leads, args.concurrency, prefix="memory"))
        print(f"{sent['created']:.0f} leads created, {sent['errors']:.0f} errors")
        results.update(report("after", pids))
    results["leads"] = sent["created"]
    results["max_rss_mb"] = max(v for k, v in results.items() if "_rss_" in k)
    print("RESULT " + " ".join(f"{k}={v:.0f}" for k, v in results.items()))


if __name__ == "__main__":
    main()
