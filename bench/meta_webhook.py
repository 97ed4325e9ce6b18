"""Meta Lead Ads benchmark: a signed `leadgen` notification at the webhook → the lead fetched
from the Graph API (a local fake, in a process of its own) by the processing job → routed → the
`lead.assigned` Server-Sent Event on the assigned agent's open stream.

`leadflow serve` (worker in process) runs on a fresh database with the demo organisation, every
agent always on shift and uncapped (`harness.always_available`: this measures the path to
the screen, not eligibility), and a Meta connector made with `leadflow channels add` whose
`api_base` is the fake Graph. One stream per agent is open; notifications (one lead each) are
posted at a steady rate, and events are matched to notifications by the lead's unique name.

Figures: the webhook's receipt alone (POST → 200: verified, stored, committed) and the whole
path (POST sent → event on the screen), p50/p99/max; the server's and the worker's CPU per
notification (user + system, from /proc, warm-up included), which the machine's load moves
less than the times. Run with another checkout's interpreter (its `leadflow` serves) to
compare before and after: `/path/to/old/.venv/bin/python bench/meta_webhook.py`.

    .venv/bin/python bench/meta_webhook.py [--rate 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from tests.fakes.graph import FakeGraph, notification  # noqa: E402

from harness import (  # noqa: E402
    always_available,
    free_port,
    leadflow,
    percentile,
    prepare,
    scratch_database,
    start_server,
    stop,
    watch,
)
from intake import cpu_seconds  # noqa: E402
from leadflow.connectors.meta.webhook import SIGNATURE_HEADER, signature  # noqa: E402
from leadflow.demo import organisation_yaml  # noqa: E402
from leadflow.services.demo import sample_leads  # noqa: E402
from machine import loop_ns  # noqa: E402

APP_SECRET = "bench-app-secret-0123456789"
PAGE_TOKEN = "bench-page-token-0123456789"
CONNECTOR = "bench-meta"


def graph_leads(count: int) -> list[dict[str, Any]]:
    """Graph leads made from the demo's sample people, each with a name of its own."""
    run = uuid.uuid4().hex[:6]
    created = datetime.now(UTC) - timedelta(minutes=1)
    leads = []
    for index, lead in enumerate(sample_leads(datetime(2026, 5, 1, tzinfo=UTC), 1, count)):
        answers = {
            "full_name": f"{lead.first_name} M{run}x{index}",
            "email": lead.email,
            "phone_number": lead.phone,
            "country": lead.country,
            "treatment": lead.treatment,
            "message": lead.message,
            "whatsapp": lead.whatsapp_id,
        }
        leads.append({
            "id": f"{run}{index:06d}",
            "created": created,
            "answers": {k: v for k, v in answers.items() if v},
        })  # fmt: skip
    return leads


def serve_graph(port: int, leads: list[dict[str, Any]]) -> None:
    """The fake Graph API, in a process of its own (so that it and the benchmark's client do
    not share a GIL)."""
    graph = FakeGraph(token=PAGE_TOKEN, app_secret=APP_SECRET, port=port)
    for lead in leads:
        graph.add_lead(lead["id"], form_id="700", created=lead["created"], answers=lead["answers"])
    graph.start()
    while True:
        time.sleep(3600)


@dataclass
class Timings:
    posted: dict[str, float] = field(default_factory=dict)
    """lead name → when its notification's POST started."""
    answered: dict[str, float] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    errors: int = 0


async def deliver(client: httpx.AsyncClient, lead: dict[str, Any], timings: Timings) -> None:
    created = lead["created"].strftime("%Y-%m-%dT%H:%M:%S+0000")
    body = notification({"id": lead["id"], "form_id": "700", "created_time": created})
    name = lead["answers"]["full_name"]
    started = time.perf_counter()
    try:
        response = await client.post(
            f"/hooks/meta/{CONNECTOR}",
            content=body,
            headers={SIGNATURE_HEADER: signature(body, APP_SECRET)},
        )
    except httpx.HTTPError:
        timings.errors += 1
        return
    if response.status_code != 200:
        timings.errors += 1
        return
    timings.posted[name] = started
    timings.answered[name] = time.perf_counter()


async def notifications_to_screen(
    base_url: str, token: str, agents: list[str], leads: list[dict[str, Any]], rate: float,
    warm: int,
) -> dict[str, float]:  # fmt: skip
    timings = Timings()
    auth = {"Authorization": f"Bearer {token}"}
    streams = httpx.AsyncClient(
        base_url=base_url, headers=auth, timeout=httpx.Timeout(30, read=None),
        limits=httpx.Limits(max_connections=len(agents) + 4),
    )  # fmt: skip
    hooks = httpx.AsyncClient(
        base_url=base_url, timeout=60,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
    )  # fmt: skip
    async with streams, hooks:
        for lead in leads[:warm]:  # the language detector and the first fetches, unmeasured
            await deliver(hooks, lead, Timings())
        await asyncio.sleep(3)
        ready = {agent: asyncio.Event() for agent in agents}
        watchers = [
            asyncio.create_task(watch(streams, agent, "name", timings.seen, ready[agent]))
            for agent in agents
        ]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready.values())), 30)
        measured = leads[warm:]
        start = time.perf_counter()
        sending: list[asyncio.Task[None]] = []
        for index, lead in enumerate(measured):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sending.append(asyncio.create_task(deliver(hooks, lead, timings)))
        await asyncio.gather(*sending)
        sent_for = time.perf_counter() - start
        for _ in range(300 if agents else 0):  # stragglers: up to 30 s more
            if not set(timings.posted) - set(timings.seen):
                break
            await asyncio.sleep(0.1)
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    screen = [timings.seen[n] - t for n, t in timings.posted.items() if n in timings.seen]
    receipt = [timings.answered[n] - t for n, t in timings.posted.items()]
    return {
        "meta_notifications": len(measured),
        "meta_rate": len(measured) / sent_for,
        "meta_acknowledged": len(timings.posted),
        "meta_on_screen": len(screen),
        "meta_missing": len(timings.posted) - len(screen),
        "meta_errors": timings.errors,
        "receipt_p50_ms": 1000 * percentile(receipt, 0.5),
        "receipt_p99_ms": 1000 * percentile(receipt, 0.99),
        "receipt_max_ms": 1000 * max(receipt, default=float("nan")),
        "screen_p50_ms": 1000 * statistics.median(screen) if screen else float("nan"),
        "screen_p99_ms": 1000 * percentile(screen, 0.99),
        "screen_max_ms": 1000 * max(screen, default=float("nan")),
    }


def add_connector(env: dict[str, str], graph_port: int) -> None:
    """`leadflow channels add` of the Meta connector that reads from the fake Graph."""
    leadflow(
        "channels", "add", CONNECTOR, "--kind", "meta", "--name", "Bench page",
        "--secret", f"app_secret={APP_SECRET}", "--secret", f"page_token={PAGE_TOKEN}",
        "--secret", "verify_token=bench-verify", "--map", "treatment=treatment",
        "--map", "message=message", "--map", "whatsapp=whatsapp_id",
        "--settings", json.dumps({"api_base": f"http://127.0.0.1:{graph_port}"}), env=env,
    )  # fmt: skip


def deployed(
    graph_port: int, worker: str, run: Callable[[str, str, list[str]], dict[str, float]]
) -> dict[str, float]:
    """`leadflow serve` on a fresh database with the always-available demo organisation and
    a Meta connector reading from the fake Graph; `worker` is "none" (nothing processes: the
    receipt alone), "in-process" or "separate" (a `leadflow worker` beside the server)."""
    document = always_available(yaml.safe_load(organisation_yaml()))
    processes: list[subprocess.Popen[bytes]] = []
    with scratch_database() as (_, url):
        try:
            env, token = prepare(url, document, scopes=("intake", "read"))
            add_connector(env, graph_port)
            if worker != "in-process":
                env = {**env, "LEADFLOW_RUN_WORKER_IN_PROCESS": "false"}
            if worker == "separate":
                binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
                processes.append(subprocess.Popen([binary, "worker"], env=env))
            port = free_port()
            processes.append(start_server(env, port, 1, patience=300))  # a loaded machine
            worker_pids = {p.pid for p in processes[:-1]}
            server_pids = {processes[-1].pid}
            cpu = (cpu_seconds(server_pids), cpu_seconds(worker_pids) if worker_pids else 0.0)
            result = run(f"http://127.0.0.1:{port}", token, [a["key"] for a in document["agents"]])
            handled = max(result["meta_acknowledged"], 1)
            result["server_cpu_ms"] = 1000 * (cpu_seconds(server_pids) - cpu[0]) / handled
            if worker_pids:
                result["worker_cpu_ms"] = 1000 * (cpu_seconds(worker_pids) - cpu[1]) / handled
            dead = leadflow("channels", "events", "--status", "dead", "--limit", "5", env=env)
            if worker != "none" and "dead" in dead:
                print(dead)
            return result
        finally:
            stop(*processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="notifications per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to post")
    parser.add_argument("--warm", type=int, default=16, help="unmeasured notifications first")
    parser.add_argument(
        "--worker",
        choices=("separate", "in-process"),
        default="separate",
        help="screen section: a `leadflow worker` beside the server, or the server's own",
    )
    args = parser.parse_args()
    count = args.warm + int(args.rate * args.seconds)
    receipt_leads, screen_leads = graph_leads(count), graph_leads(count)
    graph_port = free_port()
    graph = multiprocessing.get_context("spawn").Process(
        target=serve_graph, args=(graph_port, receipt_leads + screen_leads), daemon=True
    )
    graph.start()
    try:
        receipt = deployed(graph_port, "none", lambda base, token, agents: asyncio.run(
            notifications_to_screen(base, token, [], receipt_leads, args.rate, args.warm)
        ))  # fmt: skip
        screen = deployed(graph_port, args.worker, lambda base, token, agents: asyncio.run(
            notifications_to_screen(base, token, agents, screen_leads, args.rate, args.warm)
        ))  # fmt: skip
    finally:
        graph.kill()
    result = {
        "machine_loop_ns": loop_ns(),
        "receipt_rate": receipt["meta_rate"],
        "receipt_errors": receipt["meta_errors"],
        "receipt_alone_p50_ms": receipt["receipt_p50_ms"],
        "receipt_alone_p99_ms": receipt["receipt_p99_ms"],
        "receipt_alone_max_ms": receipt["receipt_max_ms"],
        **screen,
    }
    print(
        f"webhook receipt alone (nothing processing): {receipt['meta_notifications']:.0f} "
        f"notifications at {receipt['meta_rate']:.1f}/s, p50 {receipt['receipt_p50_ms']:.1f} ms, "
        f"p99 {receipt['receipt_p99_ms']:.1f} ms, max {receipt['receipt_max_ms']:.1f} ms, "
        f"{receipt['meta_errors']:.0f} errors"
    )
    print(
        f"notification → lead on the agent's screen (worker {args.worker}): "
        f"{screen['meta_notifications']:.0f} notifications at {screen['meta_rate']:.1f}/s, "
        f"{screen['meta_on_screen']:.0f}/{screen['meta_acknowledged']:.0f} seen on a stream, "
        f"{screen['meta_errors']:.0f} errors; screen p50 {screen['screen_p50_ms']:.1f} ms, p99 "
        f"{screen['screen_p99_ms']:.1f} ms, max {screen['screen_max_ms']:.1f} ms; its receipts "
        f"p50 {screen['receipt_p50_ms']:.1f} ms, p99 {screen['receipt_p99_ms']:.1f} ms; CPU per "
        f"notification: server {screen['server_cpu_ms']:.1f} ms, worker "
        f"{screen.get('worker_cpu_ms', float('nan')):.1f} ms"
    )
    print(
        "RESULT "
        + " ".join(
            f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
        )
    )


if __name__ == "__main__":
    main()
