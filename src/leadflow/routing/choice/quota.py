"""Weighted ratio: which eligible agent takes the lead so that shares track weights.

Each pool keeps a credit per agent (`PoolState.current`): the share of past leads the agent
earned minus the leads it received, as an integer count of 1/u of a lead, u being stored in the
same mapping under UNIT_KEY. u is the least common multiple of the eligible totals seen so far,
so every share is exact; only past MAX_UNIT are credits rounded, by under 1/u of a lead. For
every lead, each *eligible* agent earns its share, weight / total eligible weight, and one of
them takes the lead and pays one lead. Agents not eligible for this lead keep their credit.

The choice is the quota method of Balinski and Young (1975) — Jefferson/D'Hondt priority among
the agents under their upper quota — written with credits: among the eligible agents whose
credit is positive after earning (taking the lead does not put them a full lead ahead of their
share), the one with the largest (credit − 1 lead) / weight; ties go to the earlier member.
From an empty state with the same agents eligible, every agent then stays strictly within one
lead of its weighted share at every lead. nginx's smooth weighted round robin (largest credit
first) does not: with weights 1×9, 2, 10, 10 it leaves the weight-2 agent 33/31 of a lead
behind after 25 leads, as the property tests found.

Why credits are kept in leads, not in raw weights as nginx does: a credit earned while the pool
weighed 20 and spent while it weighs 3 must mean the same thing, or an agent back from a break
can be owed several leads and take them in a burst (6+ leads in our random eligibility runs).
Why an absent agent's credit is frozen rather than forgotten: forgetting it (resetting an agent
when it goes off shift) lets the tie-break favour the same agent every morning, and two agents
with the same shifts and weights drift apart by a lead a day; frozen credits never let that
happen.

What holds (property-tested): the credits sum to zero; the quota bound above (it needs exact
arithmetic: with shares rounded to 10⁻¹² it broke after 3 leads); agents who share their
availability and weight never differ by more than one lead, however often others come and go;
with different weights they stay within two leads of their weighted split (1.33 at most in
3,000 random runs), and nothing accumulates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from math import lcm

UNIT_KEY = "~lead"
"""Key of `PoolState.current` holding u: the credits are counted in 1/u of a lead. It cannot
clash with an agent key (keys start with a letter or digit)."""
MAX_UNIT = 10**15
"""Above this the unit is not widened but reset to the current total, rounding credits."""
LEGACY_UNIT = 10**12
"""The unit of states saved before UNIT_KEY existed (credits in 10⁻¹² lead)."""


def quota_pick(
    eligible: Sequence[tuple[str, int, *tuple[object, ...]]],
    current: Mapping[str, int],
    members: Set[str],
) -> tuple[str, dict[str, int], dict[str, int]]:
    """Choose among `eligible` — (key, weight > 0, …) in member order.

    Returns the chosen key, the new credits (for `members` only, so removed members drop out,
    with UNIT_KEY) and every member's credit at the moment of choice (the eligible ones with
    this lead's share added, with UNIT_KEY).
    """
    total = 0
    for entry in eligible:
        total += entry[1]
    credits, unit = in_units(current, members, total)
    per_weight, get = unit // total, credits.get
    best, best_under, best_gap, best_weight = "", False, 0, 1
    for entry in eligible:
        key, weight = entry[0], entry[1]
        credit = credits[key] = get(key, 0) + weight * per_weight
        # Priority (credit − one lead) / weight, compared exactly by cross-multiplying; agents
        # under their upper quota (positive credit) first. Nobody under it only happens after
        # absences left the present agents owing, and then the priority alone decides.
        under, gap = credit > 0, credit - unit
        if not best or (under, gap * best_weight) > (best_under, best_gap * weight):
            best, best_under, best_gap, best_weight = key, under, gap, weight
    credits[UNIT_KEY] = unit
    scores = dict(credits)
    credits[best] -= unit
    return best, credits, scores


def credit_in_leads(credits: Mapping[str, int] | Mapping[str, float], agent: str) -> float:
    unit = credits.get(UNIT_KEY) or LEGACY_UNIT
    return credits.get(agent, 0) / unit


def in_units(
    current: Mapping[str, int], members: Set[str], total: int
) -> tuple[dict[str, int], int]:
    """The members' credits in a unit that `total` divides, and that unit."""
    credits = dict(current)
    unit = credits.pop(UNIT_KEY, 0) or (LEGACY_UNIT if credits else total)
    if not credits.keys() <= members:
        credits = {key: value for key, value in credits.items() if key in members}
    if unit % total == 0:
        return credits, unit
    wider = lcm(unit, total)
    if wider <= MAX_UNIT:
        factor = wider // unit
        return {key: value * factor for key, value in credits.items()}, wider
    return _rounded(credits, unit, total), total


def _rounded(credits: dict[str, int], unit: int, new_unit: int) -> dict[str, int]:
    """Credits re-counted in 1/new_unit lead, rounded down, then the units lost to rounding
    given back to the largest remainders (ties by key) so the sum is kept."""
    exact = {key: value * new_unit for key, value in credits.items()}
    rounded = {key: value // unit for key, value in exact.items()}
    missing = sum(exact.values()) // unit - sum(rounded.values())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] % unit), key))
    for key in by_remainder[:missing]:
        rounded[key] += 1
    return rounded
