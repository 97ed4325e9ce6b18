"""Availability benchmarks. Each section is a function returning its figures; `main` runs the
chosen sections and prints one `RESULT name=value …` line with all of them, last.

Section `sse` — speed to lead as the agent sees it: arrival (`POST /api/v1/leads`) → the
`lead.assigned` Server-Sent Event on the assigned agent's open stream. `leadflow serve` runs with
several server processes on a fresh database with the demo organisation, every agent always on
shift and uncapped (this measures delivery to the screen, not eligibility); one stream per agent
is open, leads are posted at a steady rate, and events are matched to posts by lead id.

    .venv/bin/python bench/availability.py [--rate 100] [--seconds 30] [--workers 2] [--repeat 10]
        [--diagnose] [--backlog 500 --backlog-kind queue|sla]

Each run prints a `RESULT` line with the load average, the p50/p99/max delay, the events later
than 1 s and 2 s, and the server's CPU per lead (which does not move with the machine's load:
when it times the rate stays under the cores' capacity and the latencies still grow, the
machine is the limit). `--diagnose` logs lock waits and slow statements of the bench's database
to the PostgreSQL server's log. `--backlog N` posts N leads before the run and turns them, at
second 45 of a minute, into work for the periodic pass at the next whole minute (15 s into the
run): back to the queue (`--backlog-kind queue`, the queue release routes them again) or past
their first-contact deadline (`sla`, the SLA check moves them). Each run also samples
PostgreSQL every 50 ms: the oldest transaction holding pool locks (`pool_lock_hold_max_ms`,
with the statement it last ran) and the longest lock wait (`lock_wait_max_ms`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from harness import always_available, percentile, prepare, running, scratch_database, watch
from intake import Connection, cpu_seconds
from intake import post as raw_post
from leadflow.demo import organisation_yaml
from leadflow.services.demo import sample_leads

# --- set-up shared by the sections -------------------------------------------------------------


@dataclass
class Deployment:
    base_url: str
    token: str
    agents: list[str]
    server_pid: int
    url: str
    """The bench database's URL (the lock watch and the backlog)."""


DIAGNOSTICS = (
    "log_lock_waits = on",
    "log_min_duration_statement = 200",
)
"""With --diagnose, set on the bench's own database only (ALTER DATABASE): lock waits longer
than deadlock_timeout and statements slower than 200 ms go to the PostgreSQL server's log,
prefixed with the database's name."""


def with_deployment(
    document: dict[str, Any],
    workers: int,
    work: Callable[[Deployment], dict[str, float]],
    *,
    diagnose: bool = False,
) -> dict[str, float]:
    """Run `work` against `leadflow serve` on a fresh database, then drop it."""
    with scratch_database() as (name, url):
        if diagnose:
            with psycopg.connect(url, autocommit=True) as admin:
                for setting in DIAGNOSTICS:
                    admin.execute(f'ALTER DATABASE "{name}" SET {setting}')
            print(f"diagnostics on database {name}: {', '.join(DIAGNOSTICS)}")
        env, token = prepare(url, document, scopes=("intake", "read"))
        with running(env, workers, patience=300) as (server, port):
            agents = [agent["key"] for agent in document["agents"]]
            return work(Deployment(f"http://127.0.0.1:{port}", token, agents, server.pid, url))


# --- section sse: arrival → event on the agent's screen ----------------------------------------


OUTCOMES: dict[str, int] = {}


@dataclass
class Timings:
    posted: dict[int, float] = field(default_factory=dict)
    """lead id → when its POST started (assigned leads only)."""
    answered: dict[int, float] = field(default_factory=dict)
    """lead id → when its POST was answered (the lead committed and routed)."""
    seen: dict[int, float] = field(default_factory=dict)
    """lead id → when its `lead.assigned` event reached a stream."""
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: int = 0


class Connections:
    """Keep-alive connections for the posts, each used by one request at a time. Raw streams
    (bench/intake.py's `Connection`), not httpx: with requests waiting, httpx's pool spends
    CPU in proportion to the waiting requests on each one, and this client, sharing the two
    cores with the server, fell behind the offered rate and read the streams late: a hiccup of
    the server grew into seconds of apparent delay (py-spy on the client)."""

    def __init__(self, port: int, size: int) -> None:
        self.port = port
        self.size = size
        self.idle: asyncio.Queue[Connection] = asyncio.Queue()
        self.opened = 0

    async def take(self) -> Connection:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            return await Connection.open(self.port)
        return await self.idle.get()

    def give_back(self, connection: Connection) -> None:
        self.idle.put_nowait(connection)

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().close()


async def post(
    connections: Connections, token: str, body: dict[str, Any], timings: Timings
) -> None:
    started = time.perf_counter()
    connection = await connections.take()
    try:
        status, answer = await connection.request(raw_post("/api/v1/leads", token, body))
    except (OSError, asyncio.IncompleteReadError):
        timings.errors += 1
        return
    connections.give_back(connection)
    if status >= 400:
        timings.errors += 1
        return
    lead = json.loads(answer)
    outcome = (lead.get("assignment") or {}).get("outcome", "none")
    timings.outcomes[outcome] = timings.outcomes.get(outcome, 0) + 1
    if outcome == "assigned":
        timings.posted[lead["id"]] = started
        timings.answered[lead["id"]] = time.perf_counter()


def lead_bodies(count: int) -> list[dict[str, Any]]:
    run = uuid.uuid4().hex[:6]
    submissions = sample_leads(datetime(2026, 5, 1, tzinfo=UTC), days=1, per_day=count)
    bodies = [
        s.model_dump(mode="json", exclude_none=True, exclude={"created_at"}) for s in submissions
    ]
    for index, body in enumerate(bodies):
        body["external_id"] = f"sse-{run}-{index}"
    return bodies


async def warm_up(deployment: Deployment, requests: int = 16) -> None:
    """Send leads on fresh connections, so that every server process has loaded what it loads
    on first use (the language detector takes seconds) before anything is measured."""
    auth = {"Authorization": f"Bearer {deployment.token}"}
    for body in lead_bodies(requests):
        async with httpx.AsyncClient(base_url=deployment.base_url, headers=auth, timeout=120) as c:
            (await c.post("/api/v1/leads", json=body)).raise_for_status()


async def post_backlog(deployment: Deployment, count: int) -> list[int]:
    """Post `count` leads before the run (8 at a time); the ids of those assigned."""
    port = int(deployment.base_url.rsplit(":", 1)[1])
    connections = Connections(port, 8)
    timings = Timings()
    bodies = iter(lead_bodies(count))

    async def sender() -> None:
        for body in bodies:
            await post(connections, deployment.token, body, timings)

    await asyncio.gather(*(sender() for _ in range(8)))
    connections.close()
    return sorted(timings.posted)


async def make_backlog(deployment: Deployment, kind: str, leads: list[int]) -> None:
    """Turn `leads` (assigned) into work for the next whole minute's periodic pass: `queue`
    sends them back to the queue (every agent can take them: the release routes them all),
    `sla` puts their first-contact deadline a minute in the past (the SLA check moves them)."""
    connecting = psycopg.AsyncConnection.connect(deployment.url, autocommit=True)
    async with await connecting as db, db.transaction():
        if kind == "queue":
            await db.execute(
                "UPDATE agents a SET open_leads = a.open_leads - c.n FROM (SELECT"
                " owner_agent_key AS k, count(*) AS n FROM leads WHERE id = ANY(%s)"
                " GROUP BY 1) c WHERE a.key = c.k",
                (leads,),
            )
            await db.execute(
                "UPDATE leads SET routing_status = 'queued', owner_agent_key = NULL,"
                " sla_due_at = NULL WHERE id = ANY(%s)",
                (leads,),
            )
        else:
            await db.execute(
                "UPDATE leads SET sla_due_at = now() - interval '1 minute' WHERE id = ANY(%s)",
                (leads,),
            )


@dataclass
class LockWatch:
    """PostgreSQL sampled every 50 ms during the run: how long the oldest transaction holding
    `pool_states` rows locked (`SELECT … FOR UPDATE`: a RowShareLock on the table until it
    ends) had been open, and how long the longest lock wait had lasted. Independent of the
    server's code: it reads only PostgreSQL's views."""

    samples: int = 0
    holds: list[float] = field(default_factory=list)
    """Per sample: the age of the oldest transaction holding pool locks (0: none)."""
    waits: list[float] = field(default_factory=list)
    """Per sample: the longest lock wait in progress (0: none)."""
    longest: dict[int, tuple[float, str]] = field(default_factory=dict)
    """Per holder pid and transaction start: its longest age seen, and its statement then."""


HOLDERS = (
    "SELECT a.pid, extract(epoch FROM a.xact_start), "
    " extract(epoch FROM clock_timestamp() - a.xact_start), left(a.query, 120)"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'relation' AND l.relation = 'pool_states'::regclass"
    " AND l.mode = 'RowShareLock' AND l.granted AND a.datname = current_database()"
)
WAITS = (
    "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)), 0)"
    " FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def watch_locks(url: str, watch: LockWatch, stop: asyncio.Event) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
        while not stop.is_set():
            held = await (await db.execute(HOLDERS)).fetchall()
            wait = await (await db.execute(WAITS)).fetchone()
            watch.samples += 1
            watch.holds.append(max((float(age) for _, _, age, _ in held), default=0.0))
            watch.waits.append(float(wait[0]) if wait else 0.0)
            for pid, started, age, query in held:
                key = hash((pid, started))
                if age > watch.longest.get(key, (0.0, ""))[0]:
                    watch.longest[key] = (float(age), query)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)


def lock_figures(watch: LockWatch) -> dict[str, float]:
    slowest = sorted(watch.longest.values(), reverse=True)[:3]
    for age, query in slowest:
        print(f"pool locks held {age:.2f} s by a transaction last running: {query!r}")
    return {
        "lock_samples": watch.samples,
        "pool_lock_hold_max_ms": 1000 * max(watch.holds, default=0.0),
        "pool_lock_hold_p99_ms": 1000 * percentile(watch.holds, 0.99),
        "lock_wait_max_ms": 1000 * max(watch.waits, default=0.0),
        "lock_wait_p99_ms": 1000 * percentile(watch.waits, 0.99),
    }


async def arrivals_to_screen(
    deployment: Deployment,
    rate: float,
    seconds: float,
    backlog: int = 0,
    backlog_kind: str = "queue",
) -> dict[str, float]:
    await warm_up(deployment)
    backlogged = await post_backlog(deployment, backlog) if backlog else []
    timings = Timings()
    auth = {"Authorization": f"Bearer {deployment.token}"}
    streams = httpx.AsyncClient(
        base_url=deployment.base_url,
        headers=auth,
        timeout=httpx.Timeout(30, read=None),
        limits=httpx.Limits(max_connections=len(deployment.agents) + 4),
    )
    posts = Connections(int(deployment.base_url.rsplit(":", 1)[1]), 64)
    async with streams:
        ready = {agent: asyncio.Event() for agent in deployment.agents}
        watchers = [
            asyncio.create_task(watch(streams, agent, "lead_id", timings.seen, ready[agent]))
            for agent in deployment.agents
        ]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 30)
        bodies = lead_bodies(int(rate * seconds))
        if backlogged:
            # The periodic passes run at each whole minute: the backlog is made at second 45,
            # and the run starts then, so the pass falls 15 s into it.
            await asyncio.sleep((45 - time.time() % 60) % 60)
            await make_backlog(deployment, backlog_kind, backlogged)
            print(f"backlog: {len(backlogged)} leads ({backlog_kind}) for the minute's pass")
        locks, stop = LockWatch(), asyncio.Event()
        sampler = asyncio.create_task(watch_locks(deployment.url, locks, stop))
        server_cpu = cpu_seconds({deployment.server_pid})
        start = time.perf_counter()
        sending: list[asyncio.Task[None]] = []
        for index, body in enumerate(bodies):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sending.append(asyncio.create_task(post(posts, deployment.token, body, timings)))
        await asyncio.gather(*sending)
        posts.close()
        server_cpu = cpu_seconds({deployment.server_pid}) - server_cpu
        sent_for = time.perf_counter() - start
        for _ in range(100):  # stragglers: up to 10 s more
            if not set(timings.posted) - set(timings.seen):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await sampler
        for stream in watchers:
            stream.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    latencies = [timings.seen[i] - t for i, t in timings.posted.items() if i in timings.seen]
    intake = [timings.answered[i] - t for i, t in timings.posted.items()]
    # Negative when the event reached the stream before the HTTP answer reached the client.
    after_answer = [
        timings.seen[i] - timings.answered[i] for i in timings.posted if i in timings.seen
    ]
    OUTCOMES.update(timings.outcomes)
    late = sorted(
        (t - start, timings.seen[i] - t)
        for i, t in timings.posted.items()
        if i in timings.seen and timings.seen[i] - t > 1
    )
    if late:
        print(
            f"{len(late)} events later than 1 s, posted between {late[0][0]:.1f} s and "
            f"{late[-1][0]:.1f} s into the run; the latest {max(d for _, d in late):.2f} s"
        )
    return {
        **lock_figures(locks),
        "backlog": len(backlogged),
        "sse_late_1s": len(late),
        "sse_late_2s": sum(1 for _, delay in late if delay > 2),
        "sse_leads": len(bodies),
        # CPU of the server processes while posting: the cost of a lead, which does not depend
        # on the machine's load, beside the latencies, which do.
        "server_cpu_ms_per_lead": 1000 * server_cpu / len(bodies),
        "sse_rate": len(bodies) / sent_for,
        "sse_assigned": len(timings.posted),
        "sse_events": len(latencies),
        "sse_missing": len(timings.posted) - len(latencies),
        "sse_errors": timings.errors,
        "sse_p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "sse_p99_ms": 1000 * percentile(latencies, 0.99),
        "sse_max_ms": 1000 * max(latencies, default=float("nan")),
        "intake_p50_ms": 1000 * percentile(intake, 0.5),
        "intake_p99_ms": 1000 * percentile(intake, 0.99),
        "event_after_answer_p50_ms": 1000 * percentile(after_answer, 0.5),
        "event_after_answer_p99_ms": 1000 * percentile(after_answer, 0.99),
    }


def section_sse(args: argparse.Namespace) -> dict[str, float]:
    document = always_available(yaml.safe_load(organisation_yaml()))
    result = with_deployment(
        document,
        args.workers,
        lambda deployment: asyncio.run(
            arrivals_to_screen(deployment, args.rate, args.seconds, args.backlog, args.backlog_kind)
        ),
        diagnose=args.diagnose,
    )
    print(
        f"arrival → SSE: {result['sse_leads']:.0f} leads at {result['sse_rate']:.0f}/s to "
        f"{len(document['agents'])} agents over {args.workers} server processes: "
        f"{result['sse_events']:.0f}/{result['sse_assigned']:.0f} assigned leads seen on a "
        f"stream, p50 {result['sse_p50_ms']:.1f} ms, p99 {result['sse_p99_ms']:.1f} ms, "
        f"max {result['sse_max_ms']:.1f} ms, {result['sse_errors']:.0f} errors; the POST itself "
        f"took p50 {result['intake_p50_ms']:.1f} ms, p99 {result['intake_p99_ms']:.1f} ms, and "
        f"the event came p50 {result['event_after_answer_p50_ms']:.1f} ms, p99 "
        f"{result['event_after_answer_p99_ms']:.1f} ms after the answer"
    )
    print(f"routing outcomes: {OUTCOMES}")
    return result


SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, float]]] = {
    "sse": section_sse,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    parser.add_argument("--rate", type=float, default=100, help="sse: leads per second")
    parser.add_argument("--seconds", type=float, default=30, help="sse: how long to post")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each on a fresh database")
    parser.add_argument("--diagnose", action="store_true", help="log lock waits, slow statements")
    parser.add_argument(
        "--backlog", type=int, default=0, help="sse: leads for the minute's pass (0: none)"
    )
    parser.add_argument(
        "--backlog-kind", choices=("queue", "sla"), default="queue", help="sse: which pass"
    )
    args = parser.parse_args()
    for run in range(1, args.repeat + 1):
        results: dict[str, float] = {}
        for name in args.sections.split(","):
            results.update(SECTIONS[name](args))
        load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
        print(
            f"RESULT run={run} load={load.replace(' ', ',')} "
            + " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in results.items()
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
