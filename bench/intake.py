"""Sustained intake over HTTP: `POST /api/v1/leads` (normalise, dedupe, route) on PostgreSQL.

Starts `leadflow serve --workers N` on a fresh database with the demo organisation, then a
concurrent client sends generated leads for a fixed number of requests. Prints leads/s and
latency percentiles; the last line is `RESULT name=value …`.

    .venv/bin/python bench/intake.py [--requests 6000] [--concurrency 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import psycopg
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from harness import (
    SERVER,
    create_database,
    drop_database,
    free_port,
    prepare,
    start_server,
    stop,
)
from leadflow import native
from leadflow.demo import organisation_yaml
from leadflow.services.demo import sample_leads
from machine import loop_ns


def worker_cpu(server: int) -> dict[int, float]:
    """CPU seconds of each process `server` started (its server processes)."""
    return {pid: cpu for pid, (parent, _, cpu) in process_stats().items() if parent == server}


def process_stats() -> dict[int, tuple[int, str, float]]:
    """Parent, command and user + system CPU seconds of every process, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                raw = handle.read()
        except OSError:
            continue
        command = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick)
    return stats


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU of the processes `pids` and their children, from /proc: the
    load-independent cost of the work, beside the noisy wall-clock rate."""
    stats = process_stats()
    chosen = set(pids)
    grew = True
    while grew:
        grown = {pid for pid, (parent, _, _) in stats.items() if parent in chosen} - chosen
        chosen |= grown
        grew = bool(grown)
    return sum(stats[pid][2] for pid in chosen if pid in stats)


def postgres_pids(database: str) -> set[int]:
    """The processes of the PostgreSQL server at SERVER that work for `database`: its
    connections and autovacuum workers there, and the server-wide background processes
    (writer, checkpointer, WAL writer). Other databases' connections — other benches and
    test runs on the same server — and other servers on the machine are left out."""
    with psycopg.connect(SERVER, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s OR datname IS NULL",
            (database,),
        ).fetchall()
    return {pid for (pid,) in rows}


def postgres_cpu(database: str, before: dict[int, float] | None = None) -> dict[int, float]:
    """CPU seconds of each process working for `database` (see `postgres_pids`), minus what it
    had spent at `before`. Connections the server opened meanwhile count from zero; any that
    closed meanwhile are lost, so the pool must outlive the measurement (it does)."""
    stats = process_stats()
    spent = {pid: stats[pid][2] for pid in postgres_pids(database) if pid in stats}
    return {pid: cpu - (before or {}).get(pid, 0.0) for pid, cpu in spent.items()}


def mean_batch(port: int) -> tuple[float, float]:
    """Leads per intake transaction and its mean time in ms, as the busiest server process
    counted them (`/metrics`). Each scrape reaches one process; keep-alive clients may all
    have landed on one of them, so several scrapes are read and the busiest one is kept."""
    readings = []
    for _ in range(8):
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        readings.append(
            {
                line.split()[0]: float(line.split()[1])
                for line in text.splitlines()
                if line.startswith("leadflow_intake_batch_")
            }
        )
    found = max(readings, key=lambda reading: reading["leadflow_intake_batch_leads_count"])
    count = max(found["leadflow_intake_batch_leads_count"], 1)
    return (
        found["leadflow_intake_batch_leads_sum"] / count,
        1000 * found["leadflow_intake_batch_seconds_sum"] / count,
    )


def lead_bodies(count: int, *, prefix: str, seed: int) -> list[dict[str, object]]:
    """`count` sample leads as API bodies, each with its own external id."""
    start = datetime(2026, 5, 1, tzinfo=UTC)
    leads = sample_leads(start, days=30, per_day=count // 30 + 1, seed=seed)
    bodies = [s.model_dump(mode="json", exclude_none=True, exclude={"created_at"}) for s in leads]
    for index, body in enumerate(bodies):
        body["external_id"] = f"{prefix}-{index}"
    return bodies[:count]


class Connection:
    """One keep-alive HTTP/1.1 connection on raw asyncio streams. The load generator shares
    the two cores with the server, so it must cost next to nothing: about 0.2 ms of CPU per
    request (reported). With httpx as the client the same server measured 86 leads/s, not 110."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def post(path: str, token: str, body: dict[str, object]) -> bytes:
    payload = json.dumps(body).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def send_all(
    port: int, token: str, requests: int, concurrency: int, *, prefix: str = "bench", seed: int = 1
) -> dict[str, float]:
    """Send `requests` generated leads from `concurrency` connections as fast as answered."""
    pending = [
        post("/api/v1/leads", token, b) for b in lead_bodies(requests, prefix=prefix, seed=seed)
    ]
    pending.reverse()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connections = [await Connection.open(port) for _ in range(concurrency)]

    async def worker(connection: Connection) -> None:
        while pending:
            raw = pending.pop()
            started = time.perf_counter()
            status, _ = await connection.request(raw)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    client_cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    for connection in connections:
        connection.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "leads_per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
        "created": statuses.get(201, 0),
        "errors": sum(n for code, n in statuses.items() if code >= 400),
        "client_cpu_ms": 1000 * client_cpu / max(len(latencies), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=300, help="leads sent before measuring")
    parser.add_argument(
        "--job-worker",
        action="store_true",
        help="background jobs in one `leadflow worker` process beside the servers (counted as "
        "server CPU), not in each server process",
    )
    parser.add_argument(
        "--without-automations",
        action="store_true",
        help="the demo organisation without its automation rules: against a run with them, "
        "what the sales workflow's automations cost intake (issue 16)",
    )
    args = parser.parse_args()
    document = None
    if args.without_automations:
        document = yaml.safe_load(organisation_yaml())
        document.pop("automations", None)
    name, url = create_database()
    server = None
    job_worker = None
    try:
        env, token = prepare(url, document)
        port = free_port()
        if args.job_worker:
            env = {**env, "LEADFLOW_RUN_WORKER_IN_PROCESS": "false"}
            binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
            job_worker = subprocess.Popen([binary, "worker"], env=env)
        server = start_server(env, port, args.workers)
        served = {server.pid} | ({job_worker.pid} if job_worker else set())
        # A long-running server has compiled its queries and loaded every language's models.
        asyncio.run(send_all(port, token, args.warmup, args.concurrency, prefix="warm", seed=7))
        machine = loop_ns()
        server_cpu = cpu_seconds(served)
        per_worker = worker_cpu(server.pid) or {server.pid: server_cpu}
        postgres_before = postgres_cpu(name)
        result = asyncio.run(send_all(port, token, args.requests, args.concurrency))
        result["server_cpu_ms"] = 1000 * (cpu_seconds(served) - server_cpu) / args.requests
        # Keep-alive clients stay with the process that accepted them: an uneven split leaves
        # one process saturated and the other idle (the kernel, not the bench, decides it).
        # One process (`--workers 1`) serves in the server's own process: it has no children.
        after = worker_cpu(server.pid) or {server.pid: cpu_seconds({server.pid})}
        spent = [cpu - per_worker.get(pid, 0.0) for pid, cpu in after.items()]
        result["busiest_share"] = max(spent) / max(sum(spent), 1e-9)
        result["postgres_cpu_ms"] = (
            1000 * sum(postgres_cpu(name, postgres_before).values()) / args.requests
        )
        machine = min(machine, loop_ns())
        result["batch_leads"], result["batch_ms"] = mean_batch(port)
    finally:
        stop(server, job_worker)
        drop_database(name)
    print(
        f"{result['requests']:.0f} leads in {result['seconds']:.1f} s with {args.concurrency} "
        f"concurrent clients and {args.workers} server processes"
        f"{' and a job worker' if args.job_worker else ''}: {result['leads_per_s']:.0f} "
        f"leads/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"slowest {result['max_ms']:.1f} ms, "
        f"{result['errors']:.0f} errors; CPU per lead: server {result['server_cpu_ms']:.2f} ms, "
        f"PostgreSQL {result['postgres_cpu_ms']:.2f} ms (its processes for this database), "
        f"load generator {result['client_cpu_ms']:.2f} ms; "
        f"{result['batch_leads']:.1f} leads per transaction, {result['batch_ms']:.1f} ms each; "
        f"busiest server process {100 * result['busiest_share']:.0f}% of their CPU; "
        f"machine loop step {machine} ns"
    )
    print(
        f"RESULT intake_leads_per_s={result['leads_per_s']:.0f} "
        f"intake_p50_ms={result['p50_ms']:.1f} intake_p99_ms={result['p99_ms']:.1f} "
        f"intake_max_ms={result['max_ms']:.1f} "
        f"errors={result['errors']:.0f} workers={args.workers} concurrency={args.concurrency} "
        f"job_worker={'separate' if args.job_worker else 'in-process'} "
        f"automations={'none' if args.without_automations else 'demo'} "
        f"server_cpu_ms={result['server_cpu_ms']:.2f} "
        f"postgres_cpu_ms={result['postgres_cpu_ms']:.2f} "
        f"client_cpu_ms={result['client_cpu_ms']:.2f} batch_leads={result['batch_leads']:.1f} "
        f"busiest_share={result['busiest_share']:.2f} "
        f"batch_ms={result['batch_ms']:.1f} "
        f"engine_compiled_modules={len(native.compiled())} machine_loop_ns={machine}"
    )


if __name__ == "__main__":
    main()
