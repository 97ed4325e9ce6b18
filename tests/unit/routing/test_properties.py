from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.domain.configuration import (
    Agent,
    AgentKind,
    AgentStatus,
    Caps,
    NoAgentAction,
    Strategy,
)
from leadflow.domain.roster import (
    AgentSnapshot,
    Availability,
    Load,
    PoolState,
    Roster,
    Unavailability,
)
from leadflow.routing import Outcome, compile_config, route
from leadflow.routing.choice.quota import UNIT_KEY, quota_pick

from .factories import NOW, make_agent, make_config, make_lead, make_pipeline, one_pool

weights = st.lists(st.integers(1, 10), min_size=2, max_size=12)
optional_cap = st.none() | st.integers(0, 6)
caps = st.builds(Caps, day=optional_cap, week=optional_cap, month=optional_cap, open=optional_cap)


@settings(max_examples=40, deadline=None)
@given(weights=weights, leads=st.integers(1, 500))
def test_weighted_ratio_keeps_every_agent_within_one_lead_of_its_weighted_share(
    weights: list[int], leads: int
) -> None:
    keys = [f"a{i:02d}" for i in range(len(weights))]
    config = one_pool(list(zip(keys, weights, strict=True)))
    pools: dict[str, PoolState] = {}
    roster = Roster(agents={}, pools=pools)
    received: Counter[str] = Counter()
    total = sum(weights)
    for n in range(1, leads + 1):
        decision = route(make_lead(), roster, config, NOW)
        assert decision.agent is not None
        assert decision.pool_state is not None
        pools["main"] = decision.pool_state
        received[decision.agent] += 1
        for key, weight in zip(keys, weights, strict=True):
            assert abs(received[key] - Fraction(n * weight, total)) < 1


@settings(max_examples=60, deadline=None)
@given(
    group_weights=st.lists(
        st.tuples(st.integers(0, 2), st.integers(1, 10)), min_size=2, max_size=12
    ),
    switches=st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=400),
)
def test_agents_sharing_availability_keep_their_weighted_split_while_others_come_and_go(
    group_weights: list[tuple[int, int]], switches: list[tuple[int, bool]]
) -> None:
    """Agents with the same shifts split their leads by weight within two leads (within one for
    equal weights), however often the other groups come and go; nothing drifts."""
    agents = {f"a{i:02d}": gw for i, gw in enumerate(group_weights)}
    on, credits = [True, True, True], dict[str, int]()
    received: Counter[str] = Counter()
    for group, state in switches:
        on[group] = state
        eligible = [(key, w) for key, (g, w) in agents.items() if on[g]]
        if not eligible:
            continue
        chosen, credits, _ = quota_pick(eligible, credits, agents.keys())
        received[chosen] += 1
        assert sum(v for k, v in credits.items() if k != UNIT_KEY) == 0
        for group_ in range(3):
            _assert_weighted_split({k: w for k, (g, w) in agents.items() if g == group_}, received)


def _assert_weighted_split(members: dict[str, int], received: Counter[str]) -> None:
    got, weight = sum(received[k] for k in members), sum(members.values())
    bound = 1 if len(set(members.values())) == 1 else 2
    for key, w in members.items():
        assert abs(received[key] - Fraction(got * w, weight)) <= bound


def _staff(data: st.DataObject, count: int) -> tuple[list[Agent], dict[str, AgentSnapshot]]:
    people, snapshots = [], {}
    for i in range(count):
        key = f"a{i:02d}"
        people.append(
            make_agent(
                key,
                caps=data.draw(caps),
                status=data.draw(st.sampled_from(list(AgentStatus))),
                languages=data.draw(st.lists(st.sampled_from(["de", "en", "tr"]), max_size=2)),
                skills=data.draw(st.lists(st.sampled_from(["hair", "dental"]), max_size=1)),
            )
        )
        available = data.draw(st.booleans())
        availability = Availability(available, None if available else Unavailability.OFF_SHIFT)
        load = Load(*(data.draw(st.integers(0, 6)) for _ in range(4)))
        snapshots[key] = AgentSnapshot(key, load, availability)
    return people, snapshots


@settings(max_examples=80, deadline=None)
@given(data=st.data(), count=st.integers(1, 10))
def test_every_candidate_is_eligible_or_excluded_once_with_a_reason(
    data: st.DataObject, count: int
) -> None:
    people, snapshots = _staff(data, count)
    members = [(f"a{i:02d}", data.draw(st.integers(0, 3))) for i in range(count)]
    strategy = data.draw(st.sampled_from(list(Strategy)))
    config = one_pool(members, agents=people, strategy=strategy)
    lead = make_lead(
        language=data.draw(st.none() | st.sampled_from(["de", "en", "tr"])),
        treatment=data.draw(st.none() | st.sampled_from(["hair", "dental"])),
        score=data.draw(st.none() | st.floats(0, 100)),
    )
    decision = route(lead, Roster(snapshots), config, NOW)
    (attempt,) = decision.attempts
    excluded = [e.agent for e in attempt.exclusions]
    assert sorted(excluded + list(attempt.eligible)) == sorted(attempt.candidates)
    assert all(e.message and e.reason.check for e in attempt.exclusions)
    if attempt.eligible:
        assert attempt.chosen in attempt.eligible
        assert decision.agent == attempt.chosen
    else:
        assert decision.outcome is Outcome.QUEUED
        assert attempt.chosen is None
        assert decision.reason


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 8),
    leads=st.integers(1, 80),
    strategy=st.sampled_from(list(Strategy)),
)
def test_caps_are_never_exceeded_over_a_stream(
    data: st.DataObject, count: int, leads: int, strategy: Strategy
) -> None:
    keys = [f"a{i:02d}" for i in range(count)]
    agent_caps = {key: data.draw(caps) for key in keys}
    bot = make_agent("bot", kind=AgentKind.BOT, caps=data.draw(caps))
    config = compile_config(
        make_config(
            agents=[make_agent(k, caps=agent_caps[k]) for k in keys] + [bot],
            pipelines=[
                make_pipeline(
                    "main",
                    keys,
                    strategy=strategy,
                    when_no_agent=NoAgentAction.VIRTUAL_CONSULTANT,
                    no_agent_agent="bot",
                )
            ],
            default_pipeline="main",
        )
    )
    limits = {**agent_caps, "bot": bot.caps}
    loads = {key: Load() for key in limits}
    pools: dict[str, PoolState] = {}
    for _ in range(leads):
        roster = Roster({k: AgentSnapshot(k, load) for k, load in loads.items()}, pools)
        decision = route(make_lead(), roster, config, NOW)
        if decision.pool_state is not None:
            pools["main"] = decision.pool_state
        if decision.agent is not None:
            old = loads[decision.agent]
            loads[decision.agent] = Load(old.day + 1, old.week + 1, old.month + 1, old.open + 1)
    for key, load in loads.items():
        cap = limits[key]
        for count_, limit in zip(
            (load.day, load.week, load.month, load.open),
            (cap.day, cap.week, cap.month, cap.open),
            strict=True,
        ):
            assert limit is None or count_ <= limit


@settings(max_examples=30, deadline=None)
@given(data=st.data(), count=st.integers(1, 10))
def test_the_same_inputs_give_the_same_decision_and_trace(data: st.DataObject, count: int) -> None:
    people, snapshots = _staff(data, count)
    members = [(f"a{i:02d}", data.draw(st.integers(0, 3))) for i in range(count)]
    strategy = data.draw(st.sampled_from(list(Strategy)))
    credits = {k: data.draw(st.integers(-(10**12), 10**12)) for k, _ in members}
    roster = Roster(
        snapshots, {"main": PoolState(credits, data.draw(st.sampled_from([None, "a00"])))}
    )
    lead = make_lead(language=data.draw(st.none() | st.sampled_from(["de", "tr"])))
    first = route(lead, roster, one_pool(members, agents=people, strategy=strategy), NOW)
    again = route(lead, roster, one_pool(members, agents=people, strategy=strategy), NOW)
    assert first == again
    assert first.to_trace() == again.to_trace()
    assert first.explain() == again.explain()
