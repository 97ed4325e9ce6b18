"""What hostile or malformed requests cost a server process, and whether they stall others.

Starts `leadflow serve` (one process) on a fresh database with the demo organisation, watches
`/healthz` every 50 ms, and sends each kind of bad request from the security review (issue
14) several times, then one good lead. Prints each kind's status and time, and the slowest
`/healthz` answer while they ran: a bad request must cost milliseconds and stall nothing.

    .venv/bin/python bench/bad_input.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

import httpx

sys.path.insert(0, os.path.dirname(__file__))

from harness import prepare, running, scratch_database

LEAD = (
    '"source": "website", "first_name": "Lena", "phone": "+49 151 23456789", "country": "DE", '
    '"treatment": "hair_transplant"'
)

CASES: dict[str, str] = {
    "good lead": "{" + LEAD + "}",
    "created_at year 1": "{" + LEAD + ', "created_at": "0001-01-01T00:00:00+14:00"}',
    "custom 1e400": "{" + LEAD + ', "custom": {"n": 1e400}}',
    "custom NaN": "{" + LEAD + ', "custom": {"n": NaN}}',
    "5,000-digit integer": "{" + LEAD + ', "custom": {"n": ' + "9" * 5000 + "}}",
    "lone surrogate": "{" + LEAD + ', "custom": {"k": "\\udfff"}}',
    "nested 5,000 deep": "{" + LEAD + ', "custom": {"x": ' + "[" * 5000 + "]" * 5000 + "}}",
    "10 MB utm_source": "{" + LEAD + ', "utm_source": "' + "u" * 10_000_000 + '"}',
}


async def watch(base: str, stop: asyncio.Event, latencies: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)


async def send(base: str, token: str, repeat: int) -> dict[str, tuple[list[int], list[float]]]:
    results: dict[str, tuple[list[int], list[float]]] = {}
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, timeout=120, headers=headers) as client:
        for name, body in CASES.items():
            statuses, times = [], []
            for index in range(repeat):
                content = body.replace("23456789", f"2345{index:04d}").encode(
                    "utf-8", "surrogatepass"
                )
                started = time.perf_counter()
                try:
                    status = (await client.post("/api/v1/leads", content=content)).status_code
                except httpx.TransportError:
                    status = 0  # the server dropped the connection
                times.append(time.perf_counter() - started)
                statuses.append(status)
            results[name] = (statuses, times)
    return results


async def run(base: str, token: str, repeat: int) -> None:
    stop = asyncio.Event()
    latencies: list[float] = []
    watcher = asyncio.create_task(watch(base, stop, latencies))
    await asyncio.sleep(0.5)
    results = await send(base, token, repeat)
    stop.set()
    await watcher
    print(f"{'request':<22} {'statuses (0: dropped)':<24} {'median ms':>10} {'max ms':>10}")
    for name, (statuses, times) in results.items():
        shown = ",".join(str(s) for s in sorted(set(statuses)))
        median, slowest = statistics.median(times) * 1000, max(times) * 1000
        print(f"{name:<22} {shown:<24} {median:>10.1f} {slowest:>10.1f}")
    worst = max(latencies) * 1000
    bad = [t for name, (_, times) in results.items() if name != "good lead" for t in times]
    print(
        f"/healthz: {len(latencies)} answers, median {statistics.median(latencies) * 1000:.1f} ms,"
        f" slowest {worst:.1f} ms"
    )
    print(
        f"RESULT bad_request_max_ms={max(bad) * 1000:.1f} healthz_max_ms={worst:.1f} "
        f"server_errors={sum(s >= 500 or s == 0 for st, _ in results.values() for s in st)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests of each kind")
    args = parser.parse_args()
    with scratch_database() as (_, url):
        env, token = prepare(url)
        with running(env, workers=1) as (_, port):
            asyncio.run(run(f"http://127.0.0.1:{port}", token, args.repeat))


if __name__ == "__main__":
    main()
