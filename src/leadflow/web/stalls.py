"""Event-loop stalls, measured in the process where they happen.

A probe sleeps PROBE_S over and over and records how late it wakes: a late wake-up means the
loop was held by something synchronous (CPU work, a blocking call, the garbage collector), or
the process got no CPU (a machine loaded past its cores: compare with `uptime`). The
collector's pauses are timed too (`gc.callbacks`). A lag over STALL_S is logged with the
collector's share of it, so a stall in a bench or in production says which kind it was without
py-spy running at that moment (issue 18: an 11 s stall on the live path whose cause was not
found). Waiting for PostgreSQL (a lock, a slow statement) does not hold the loop: that shows as
slow requests with no lag here, and in PostgreSQL's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from typing import Any

import structlog
from prometheus_client import Histogram

log = structlog.get_logger(__name__)

PROBE_S = 0.1
STALL_S = 1.0

LOOP_LAG = Histogram(
    "leadflow_event_loop_lag_seconds",
    "How late the event loop ran a task due after a short sleep",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
)
GC_PAUSE = Histogram(
    "leadflow_gc_pause_seconds",
    "Garbage collections, by how long they held the process",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


class StallWatch:
    def __init__(self, *, probe: float = PROBE_S, stall: float = STALL_S) -> None:
        self.probe = probe
        self.stall = stall
        self.collecting_since: float | None = None
        self.collected = 0.0
        """Seconds spent collecting garbage since the watch started."""
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        gc.callbacks.append(self._on_collection)
        self._task = asyncio.create_task(self._watch(), name="stall watch")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_collection)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_collection(self, phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            self.collecting_since = time.perf_counter()
        elif self.collecting_since is not None:
            pause = time.perf_counter() - self.collecting_since
            self.collecting_since = None
            self.collected += pause
            GC_PAUSE.observe(pause)

    async def _watch(self) -> None:
        while True:
            collected = self.collected
            started = time.perf_counter()
            await asyncio.sleep(self.probe)
            lag = max(time.perf_counter() - started - self.probe, 0.0)
            LOOP_LAG.observe(lag)
            if lag > self.stall:
                log.warning(
                    "event loop stalled",
                    seconds=round(lag, 3),
                    garbage_collection_seconds=round(self.collected - collected, 3),
                )
