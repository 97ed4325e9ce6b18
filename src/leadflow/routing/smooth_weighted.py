"""Smooth weighted round robin over the agents eligible for this lead, with credits in leads.

Each pool keeps a credit per agent (`PoolState.current`) in units of 10⁻¹² lead
(`CREDIT_SCALE` = one lead). For every lead, each *eligible* agent earns its share of the lead,
weight / total eligible weight; the agent with the most credit takes the lead and pays one lead.
Ties go to the earlier member. Agents not eligible for this lead keep their credit untouched.

Why credits are kept in leads rather than in raw weights (nginx keeps raw weights): a credit
earned in a pool of total weight 20 and spent while only 3 are eligible must mean the same
thing, or an agent returning from a break can be owed several leads and take them in a burst
(our random eligibility runs drifted by 6+ leads that way). Why frozen credits are kept rather
than forgotten: forgetting them (resetting an agent when it goes off shift) lets the tie-break
favour the same agent every morning, and two agents with the same shifts and weights drift apart
by a lead a day; kept credits never let that happen.

What holds (property-tested):
- the credits always sum to zero (integer arithmetic: the chosen agent pays exactly the shares
  handed out, one lead less under 10⁻¹¹ of rounding), and an agent's credit is its earned share
  minus the leads it received since the state was empty;
- with a steady set of eligible agents this is nginx's smooth weighted round robin: from an empty
  state every agent stays within one lead of its weighted share (the bound is reached, as with
  nginx: weights 1,1,1,3,3,3,3 after 10 leads);
- agents who share their availability (same shifts) and weight never differ by more than one
  lead, however often others come and go: they earn alike, and the one with more credit goes
  first; with different weights they stay within two leads of their weighted split (1.4 at
  most in our random runs), and nothing accumulates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

CREDIT_SCALE = 10**12
"""One lead, in credit units."""


def smooth_weighted_pick(
    eligible: Sequence[tuple[str, int, *tuple[object, ...]]],
    current: Mapping[str, int],
    members: Set[str],
) -> tuple[str, dict[str, int], dict[str, int]]:
    """Choose among `eligible` — (key, weight > 0, …) in member order.

    Returns the chosen key, the new credits (for `members` only, so removed members drop out)
    and each eligible agent's credit at the moment of choice, in credit units.
    """
    credits = dict(current)
    if not credits.keys() <= members:
        credits = {key: value for key, value in credits.items() if key in members}
    total = 0
    for entry in eligible:
        total += entry[1]
    handed_out, best, best_credit = 0, "", float("-inf")
    get, unit = credits.get, CREDIT_SCALE
    for entry in eligible:
        key = entry[0]
        share = entry[1] * unit // total
        handed_out += share
        credit = credits[key] = get(key, 0) + share
        if credit > best_credit:
            best, best_credit = key, credit
    scores = {entry[0]: credits[entry[0]] for entry in eligible}
    # The chosen agent pays exactly what was handed out: a lead less the rounding of the shares
    # (under 10⁻¹¹ lead), so that the credits keep summing to zero.
    credits[best] -= handed_out
    return best, credits, scores
