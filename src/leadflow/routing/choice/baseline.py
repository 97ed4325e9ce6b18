"""The weighted-random assignment the bench compares against (Odoo CRM's approach).

Each lead goes to a member drawn with probability proportional to its weight: right on average,
but with no memory, so shares wander; the deterministic strategies exist to avoid that.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from leadflow.domain.configuration import PoolMember


def weighted_random_choice(members: Sequence[PoolMember], rng: random.Random) -> str:
    """One member's agent key, drawn by weight with the caller's seeded generator."""
    return rng.choices([m.agent for m in members], weights=[m.weight for m in members])[0]
