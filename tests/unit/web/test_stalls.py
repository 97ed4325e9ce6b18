import asyncio
import gc
import time

from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from leadflow.web.stalls import StallWatch


def _count(name: str) -> float:
    return REGISTRY.get_sample_value(f"{name}_count") or 0.0


async def test_a_blocked_event_loop_is_logged_as_a_stall() -> None:
    watch = StallWatch(probe=0.01, stall=0.1)
    watch.start()
    await asyncio.sleep(0.05)
    with capture_logs() as logs:
        time.sleep(0.3)  # noqa: ASYNC251 (holds the loop, as synchronous work in a request would)
        await asyncio.sleep(0.05)
    await watch.stop()

    [stall] = [entry for entry in logs if entry["event"] == "event loop stalled"]
    assert stall["seconds"] >= 0.2
    assert stall["garbage_collection_seconds"] < 0.1


async def test_a_loop_that_is_free_logs_no_stall() -> None:
    watch = StallWatch(probe=0.01, stall=0.1)
    before = _count("leadflow_event_loop_lag_seconds")
    with capture_logs() as logs:
        watch.start()
        await asyncio.sleep(0.1)
        await watch.stop()

    assert not [entry for entry in logs if entry["event"] == "event loop stalled"]
    assert _count("leadflow_event_loop_lag_seconds") > before


async def test_garbage_collections_are_timed_while_watching_and_not_after() -> None:
    watch = StallWatch()
    watch.start()
    before = _count("leadflow_gc_pause_seconds")
    gc.collect()
    timed = _count("leadflow_gc_pause_seconds")
    await watch.stop()
    gc.collect()

    assert timed >= before + 1
    assert watch.collected > 0
    assert _count("leadflow_gc_pause_seconds") == timed
