"""KPI formulas without a database: percentiles from histograms, the funnel, pool shares."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow.analytics.kpi import Speed, funnel, percentile, pool_shares
from tests.factories import organisation


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_a_percentile_of_one_value_buckets_is_exact(values: list[int]) -> None:
    """Buckets of one value each (what the rollup keeps for small counts): the median is the
    median of the values themselves."""
    buckets = [(1, float(v), float(v)) for v in sorted(values)]
    assert percentile(buckets, 0.5) == pytest.approx(statistics.median(values))


def test_a_percentile_spreads_a_buckets_values_evenly() -> None:
    # 3 contacts between 10 and 30 s, then 1 at 100 s: values taken as 10, 20, 30, 100.
    assert percentile([(3, 10.0, 30.0), (1, 100.0, 100.0)], 0.5) == 25.0
    assert percentile([(3, 10.0, 30.0), (1, 100.0, 100.0)], 0.9) == pytest.approx(79.0)


def test_rates_are_none_without_leads() -> None:
    empty = Speed(None, 0, 0, 0, None, None, 0, 0)
    assert (empty.contact_rate, empty.fast_share) == (None, None)
    some = Speed("anna", 4, 3, 1, 60.0, 200.0, 0, 1)
    assert (some.contact_rate, some.fast_share) == (0.75, 0.25)


def test_the_funnel_counts_leads_that_reached_each_stage_or_later() -> None:
    rows = [("new", 5), ("contacted", 3), ("won", 2), ("lost", 4)]
    stages = funnel(rows, ["new", "contacted", "won", "lost"])
    assert [(s.stage, s.leads, s.reached) for s in stages] == [
        ("new", 5, 10),
        ("contacted", 3, 5),
        ("won", 2, 2),
        ("lost", 4, None),
    ]


def test_pool_shares_compare_each_members_leads_with_their_weight() -> None:
    [pipeline] = organisation(weights={"anna": 3, "ben": 1}).pipelines
    shares = pool_shares([("hair-de", "anna", 6), ("hair-de", "ben", 4)], [pipeline])
    assert [(s.agent, s.leads, s.actual, s.target) for s in shares] == [
        ("anna", 6, 0.6, 0.75),
        ("ben", 4, 0.4, 0.25),
    ]
