"""How fast this machine runs Python right now, to compare figures across machines and runs.

The machines these benchmarks run on are shared virtual machines: their speed changes by
±15% within minutes and by 2× from one machine to the next. Each benchmark prints this beside
its figures.
"""

from __future__ import annotations

import time


def loop_ns(steps: int = 2_000_000) -> float:
    """CPU time of one simple interpreter loop step (about 20–25 ns on an idle desktop core
    with CPython 3.11)."""
    started = time.process_time()
    total = 0
    for step in range(steps):
        total += step & 3
    return round((time.process_time() - started) / steps * 1e9, 1)
