"""`bench/routing.py`'s engine section with every pool holding all 200 agents.

    .venv/bin/python bench/routing_wide_pools.py

Most members of each pool are then excluded (language, skill, shift, caps), so the figure shows
what building an exclusion for ~190 members of every pool tried costs. Only the pools change.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import routing
from leadflow.domain.configuration import Agent, Pipeline, PoolMember

_pipeline = routing._pipeline


def every_agent(
    rng: random.Random, treatment: str, group: tuple[str, ...], people: Sequence[Agent]
) -> Pipeline:
    pipeline = _pipeline(rng, treatment, group, people)
    members = [PoolMember(agent=a.key, weight=rng.randint(1, 5)) for a in people]
    pool = pipeline.pool.model_copy(update={"members": members})
    return pipeline.model_copy(update={"pool": pool})


if __name__ == "__main__":
    routing._pipeline = every_agent
    print(routing.bench_engine(quick="--quick" in sys.argv))
