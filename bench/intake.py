"""Sustained intake over HTTP: `POST /api/v1/leads` (normalise, dedupe, route) on PostgreSQL.

Starts `leadflow serve --workers N` on a fresh database with the demo organisation, then a
concurrent client sends generated leads for a fixed number of requests. Prints leads/s and
latency percentiles; the last line is `RESULT name=value …`.

    .venv/bin/python bench/intake.py [--requests 6000] [--concurrency 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from leadflow.services.demo import sample_leads

SERVER = os.environ.get("LEADFLOW_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_database() -> tuple[str, str]:
    name = f"leadflow_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, SERVER.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def leadflow(*args: str, env: dict[str, str]) -> str:
    binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
    done = subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def prepare(url: str) -> tuple[dict[str, str], str]:
    env = {**os.environ, "LEADFLOW_DATABASE_URL": url}
    leadflow("migrate", env=env)
    from leadflow.demo import organisation_yaml

    path = f"/tmp/{uuid.uuid4().hex}.yaml"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(organisation_yaml())
    leadflow("config", "apply", path, env=env)
    token = leadflow("token", "create", "bench", env=env).strip().splitlines()[-1]
    return env, token


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
    server = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--workers", str(workers)], env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("server did not become ready within 60 s")


async def send_all(port: int, token: str, requests: int, concurrency: int) -> dict[str, float]:
    bodies = [
        s.model_dump(mode="json", exclude_none=True, exclude={"created_at"})
        for s in sample_leads(datetime(2026, 5, 1, tzinfo=UTC), days=30, per_day=requests // 30 + 1)
    ][:requests]
    for index, body in enumerate(bodies):
        body["external_id"] = f"bench-{index}"
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post("/api/v1/leads", json=body)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        # Warm-up: the first requests compile the configuration and fill connection pools.
        for _ in range(20):
            await client.get("/readyz")
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "leads_per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "created": statuses.get(201, 0),
        "errors": sum(n for code, n in statuses.items() if code >= 400),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    name, url = create_database()
    server = None
    try:
        env, token = prepare(url)
        port = free_port()
        server = start_server(env, port, args.workers)
        result = asyncio.run(send_all(port, token, args.requests, args.concurrency))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(name)
    print(
        f"{result['requests']:.0f} leads in {result['seconds']:.1f} s with {args.concurrency} "
        f"concurrent clients and {args.workers} server processes: {result['leads_per_s']:.0f} "
        f"leads/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"{result['errors']:.0f} errors"
    )
    print(
        f"RESULT intake_leads_per_s={result['leads_per_s']:.0f} "
        f"intake_p50_ms={result['p50_ms']:.1f} intake_p99_ms={result['p99_ms']:.1f} "
        f"errors={result['errors']:.0f} workers={args.workers} concurrency={args.concurrency}"
    )


if __name__ == "__main__":
    main()
