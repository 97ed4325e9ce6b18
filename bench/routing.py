"""Routing engine benchmarks: decisions per second, a year's replay, ratio adherence.

    .venv/bin/python bench/routing.py [--quick]

Times are CPU time of this process (time.process_time), so figures are per core and less
disturbed by other work on the machine; the engine figure is the best of several rounds (as
timeit does), the median is printed too. Each section is a function returning a dict of named
figures; `main()` runs SECTIONS in order, prints a table, and ends with one line
`RESULT name=value …` for scripts to parse. Add a section (for instance over HTTP) by appending
a function to SECTIONS.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from leadflow import native
from leadflow.domain.configuration import (
    Agent,
    All,
    Caps,
    Condition,
    Configuration,
    Equals,
    In,
    NoAgentAction,
    NoAgentPolicy,
    Organisation,
    Pipeline,
    Pool,
    PoolMember,
    Range,
    Rule,
    Strategy,
    Team,
    Tier,
    TierBand,
)
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import (
    AgentSnapshot,
    Availability,
    Load,
    PoolState,
    Roster,
    Unavailability,
)
from leadflow.routing import (
    CompiledConfig,
    ReplayLead,
    compile_config,
    replay,
    route,
    weighted_random_choice,
)
from machine import loop_ns

SEED = 20240506
LANGUAGES = ("de", "en", "tr", "ar", "ru", "fr", "nl", "it", "es", "pl")
TREATMENTS = ("hair", "dental", "aesthetic", "bariatric", "eye")
ZONES = ("Europe/Istanbul", "Europe/Berlin", "Europe/London", "Asia/Dubai")
SOURCES = ("google_ads", "meta_lead_ads", "website", "whatsapp", "phone")
Figures = dict[str, float]


# --- a generated organisation ----------------------------------------------------------------


LANGUAGE_SHARE = (30, 25, 15, 8, 6, 5, 4, 3, 2, 2)
"""How often each of LANGUAGES is a lead's (and a primary agent's) language."""
GROUPS = (("de",), ("en",), ("tr",), ("ar", "ru"), ("fr", "nl", "it", "es", "pl"))


def generated_configuration(
    rng: random.Random, agents: int = 200, rules: int = 50
) -> Configuration:
    """A clinic group: agents with a primary language (and often English), pipelines per
    treatment and language group, rules per treatment and language plus VIP, campaign and
    night variants; lead order of rules is shuffled so a lead checks about half of them."""
    people = [_agent(rng, i) for i in range(agents)]
    pipelines = [
        _pipeline(rng, treatment, group, people) for treatment in TREATMENTS for group in GROUPS
    ]
    routing_rules = [_rule(rng, i, pipelines) for i in range(rules - 1)]
    catch_all = Rule(key="catch-all", priority=1000, pipeline=pipelines[1].key)
    return Configuration(
        organisation=Organisation(name="Bench clinic"),
        teams=[Team(key="sales", name="Sales")],
        agents=people,
        pipelines=pipelines,
        rules=[*routing_rules, catch_all],
        default_pipeline=pipelines[1].key,
    )


def _agent(rng: random.Random, index: int) -> Agent:
    primary = rng.choices(LANGUAGES, weights=LANGUAGE_SHARE)[0]
    languages = {primary, "en"} if rng.random() < 0.5 else {primary}
    started = date(2024, 4, 28) if rng.random() < 0.05 else date(2020, 1, 1)
    return Agent(
        key=f"agent-{index:03d}",
        name=f"Agent {index}",
        team="sales",
        languages=sorted(languages),
        skills=rng.sample(TREATMENTS, rng.randint(2, 4)),
        tier=rng.choice(list(Tier)),
        timezone=rng.choice(ZONES),
        caps=Caps(day=rng.randint(20, 40), week=150, month=500, open=rng.randint(40, 80)),
        started_on=started,
    )


def _pipeline(
    rng: random.Random, treatment: str, group: tuple[str, ...], people: Sequence[Agent]
) -> Pipeline:
    speakers = [a for a in people if set(a.languages) & set(group)]
    sellers = [a for a in speakers if treatment in a.skills]
    size = min(rng.randint(10, 25), len(speakers))
    members = (sellers + [a for a in speakers if a not in sellers])[:size]
    strategy = rng.choices(list(Strategy), weights=(10, 3, 2, 3))[0]
    bands = [
        TierBand(field="score", min=70, tiers=[Tier.HIGH, Tier.DEVELOPING]),
        TierBand(field="score", min=0, tiers=[Tier.NEW, Tier.LOW, Tier.DEVELOPING]),
    ]
    return Pipeline(
        key=f"{treatment}-{'-'.join(group)}",
        name=f"{treatment} {'/'.join(group)}",
        team="sales",
        pool=Pool(
            strategy=strategy,
            members=[PoolMember(agent=a.key, weight=rng.randint(1, 5)) for a in members],
            tier_bands=bands if strategy is Strategy.TIER else [],
        ),
        when_no_agent=NoAgentPolicy(action=NoAgentAction.QUEUE),
    )


def _rule(rng: random.Random, index: int, pipelines: Sequence[Pipeline]) -> Rule:
    position = index % len(pipelines)
    target = pipelines[position]
    treatment, group = TREATMENTS[position // len(GROUPS)], GROUPS[position % len(GROUPS)]
    english = pipelines[(position // len(GROUPS)) * len(GROUPS) + 1]
    return Rule(
        key=f"rule-{index:02d}",
        priority=rng.randint(1, 100),
        when=_condition(rng, treatment, group, variant=index >= len(pipelines)),
        pipeline=target.key,
        fallback=[english.key] if english.key != target.key else [],
    )


def _condition(
    rng: random.Random, treatment: str, group: tuple[str, ...], *, variant: bool
) -> Condition:
    parts: list[Condition] = [
        Equals(field="treatment", op="equals", value=treatment),
        In(field="language", op="in", values=list(group)),
    ]
    if variant:
        extras: list[Condition] = [
            Range(field="score", op="range", min=80),
            Range(field="time_of_day", op="range", min="20:00", max="08:00"),
            In(field="source", op="in", values=["whatsapp", "phone"]),
        ]
        parts.append(rng.choice(extras))
    return All(all=parts)


def generated_lead(rng: random.Random, received_at: datetime) -> RoutableLead:
    return RoutableLead(
        received_at=received_at,
        source=rng.choice(SOURCES),
        country=rng.choice(("DE", "GB", "TR", "AE", "NL", "FR")),
        language=rng.choices(LANGUAGES, weights=LANGUAGE_SHARE)[0],
        treatment=rng.choice(TREATMENTS),
        score=rng.uniform(0, 100),
        budget=rng.choice((None, 2000.0, 5000.0, 12000.0)),
    )


# --- engine throughput -----------------------------------------------------------------------


def bench_engine(quick: bool) -> Figures:
    rng = random.Random(SEED)
    config = compile_config(generated_configuration(rng), version=1)
    rosters, pools = _rosters(rng, config)
    now = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    leads = [generated_lead(rng, now) for _ in range(2_000)]
    _decide(leads, rosters, pools, config, now, 2_000)  # warm-up
    count, rounds = (4_000, 5) if quick else (5_000, 12)
    timings, outcomes = [], Counter[str]()
    for _ in range(rounds):
        started = time.process_time()
        outcomes += _decide(leads, rosters, pools, config, now, count)
        timings.append(time.process_time() - started)
    best, median = min(timings), sorted(timings)[len(timings) // 2]
    return {
        "engine_decisions_per_s": round(count / best),
        "engine_decisions_per_s_median": round(count / median),
        "engine_us_per_decision": round(best / count * 1e6, 1),
        "engine_assigned_share": round(outcomes["assigned"] / (count * rounds), 3),
    }


def _rosters(
    rng: random.Random, config: CompiledConfig, variants: int = 32
) -> tuple[list[Roster], dict[str, PoolState]]:
    """Snapshots as the service builds them, one per decision: fresh objects, varied loads and
    availability (about 80% of agents on shift), all sharing the pools' states."""
    pools: dict[str, PoolState] = {}
    rosters = [Roster(_snapshots(rng, config), pools) for _ in range(variants)]
    return rosters, pools


def _snapshots(rng: random.Random, config: CompiledConfig) -> dict[str, AgentSnapshot]:
    return {
        key: AgentSnapshot(
            key,
            Load(day=rng.randint(0, 25), week=rng.randint(0, 100), open=rng.randint(0, 50)),
            Availability(True)
            if rng.random() < 0.8
            else Availability(False, Unavailability.OFF_SHIFT, "off shift until 09:00"),
        )
        for key in config.agents
    }


def _decide(
    leads: Sequence[RoutableLead],
    rosters: Sequence[Roster],
    pools: dict[str, PoolState],
    config: CompiledConfig,
    now: datetime,
    count: int,
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for index in range(count):
        roster = rosters[index % len(rosters)]
        decision = route(leads[index % len(leads)], roster, config, now)
        if decision.pool_state is not None and decision.pipeline is not None:
            pools[decision.pipeline] = decision.pool_state
        outcomes[decision.outcome.value] += 1
    return outcomes


# --- replay ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shift:
    zone: ZoneInfo
    start_hour: int
    workdays: frozenset[int]


def bench_replay(quick: bool) -> Figures:
    rng = random.Random(SEED + 1)
    config = compile_config(generated_configuration(rng), version=1)
    count = 20_000 if quick else 100_000
    items = list(_history(rng, config, count))
    availability = _shift_calendar(rng, config)
    started = time.process_time()
    report = replay(items, config, availability)
    elapsed = time.process_time() - started
    return {
        "replay_leads": count,
        "replay_s": round(elapsed, 2),
        "replay_leads_per_s": round(count / elapsed),
        "replay_assigned_share": round(report.outcomes["assigned"] / count, 3),
        "replay_different_share": round(report.different / max(report.compared, 1), 3),
    }


def _history(rng: random.Random, config: CompiledConfig, count: int) -> Iterator[ReplayLead]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    year = timedelta(days=365).total_seconds()
    agents = list(config.agents)
    contacts = [f"contact-{i}" for i in range(count // 3)]
    for _ in range(count):
        received = start + timedelta(seconds=rng.uniform(0, year))
        closed = received + timedelta(days=rng.uniform(0.5, 10)) if rng.random() < 0.9 else None
        yield ReplayLead(
            lead=generated_lead(rng, received),
            closed_at=closed,
            actual_agent=rng.choice(agents),
            contact=rng.choice(contacts),
        )


def _shift_calendar(
    rng: random.Random, config: CompiledConfig
) -> Callable[[str, datetime], Availability]:
    """Eight-hour shifts from a start hour, Monday–Friday or Sunday–Thursday, in the agent's
    zone; an off-shift answer says when the next shift starts, as the real calendar does."""
    weekdays, sunday_first = frozenset(range(5)), frozenset((6, 0, 1, 2, 3))
    shifts = {
        key: _Shift(agent.zone, rng.randint(7, 14), rng.choice((weekdays, sunday_first)))
        for key, agent in config.agents.items()
    }
    on = Availability.always()

    def availability(agent: str, at: datetime) -> Availability:
        shift = shifts[agent]
        local = at.astimezone(shift.zone)
        if local.weekday() in shift.workdays and 0 <= local.hour - shift.start_hour < 8:
            return on
        return Availability(False, Unavailability.OFF_SHIFT, "off shift", _next_start(shift, local))

    return availability


def _next_start(shift: _Shift, local: datetime) -> datetime:
    today = local.weekday()
    ahead = next(
        days
        for days in range(8)
        if (today + days) % 7 in shift.workdays and (days or local.hour < shift.start_hour)
    )
    day = local.date() + timedelta(days=ahead)
    return datetime.combine(day, dtime(shift.start_hour), tzinfo=shift.zone)


# --- ratio adherence -------------------------------------------------------------------------


def bench_ratio(quick: bool) -> Figures:
    rng = random.Random(SEED + 2)
    members = [PoolMember(agent=f"agent-{i:02d}", weight=rng.randint(1, 10)) for i in range(12)]
    count = 10_000
    deterministic = _deterministic_run(members, count)
    chooser = random.Random(SEED + 3)
    baseline = [weighted_random_choice(members, chooser) for _ in range(count)]
    figures: Figures = {}
    for name, picks in (("deterministic", deterministic), ("weighted_random", baseline)):
        final, worst = _deviation(members, picks)
        figures[f"ratio_{name}_final_dev_leads"] = round(final, 2)
        figures[f"ratio_{name}_final_dev_pp"] = round(final / count * 100, 3)
        figures[f"ratio_{name}_max_dev_leads"] = round(worst, 2)
    return figures


def _deterministic_run(members: Sequence[PoolMember], count: int) -> list[str]:
    config = compile_config(
        Configuration(
            organisation=Organisation(name="Ratio"),
            teams=[Team(key="sales", name="Sales")],
            agents=[Agent(key=m.agent, name=m.agent, team="sales") for m in members],
            pipelines=[
                Pipeline(key="main", name="Main", team="sales", pool=Pool(members=list(members)))
            ],
            default_pipeline="main",
        )
    )
    pools: dict[str, PoolState] = {}
    roster = Roster({}, pools)
    now = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    lead = RoutableLead(received_at=now, source="website")
    picks = []
    for _ in range(count):
        decision = route(lead, roster, config, now)
        assert decision.agent is not None
        assert decision.pool_state is not None
        pools["main"] = decision.pool_state
        picks.append(decision.agent)
    return picks


def _deviation(members: Sequence[PoolMember], picks: Sequence[str]) -> tuple[float, float]:
    """Largest |received − weighted share| at the end, and at any point of the run, in leads."""
    total = sum(m.weight for m in members)
    received: Counter[str] = Counter()
    worst = 0.0
    for n, agent in enumerate(picks, start=1):
        received[agent] += 1
        worst = max(worst, max(abs(received[m.agent] - n * m.weight / total) for m in members))
    n = len(picks)
    final = max(abs(received[m.agent] - n * m.weight / total) for m in members)
    return final, worst


# --- machine ---------------------------------------------------------------------------------


def bench_machine(quick: bool) -> Figures:
    """The machine's speed now, and how many engine modules run compiled (leadflow.native)."""
    return {"machine_loop_ns": loop_ns(), "engine_compiled_modules": len(native.compiled())}


# --- report ----------------------------------------------------------------------------------

SECTIONS: list[Callable[[bool], Figures]] = [
    bench_machine,
    bench_engine,
    bench_replay,
    bench_ratio,
]


def main(argv: Sequence[str] | None = None) -> Figures:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    quick = parser.parse_args(argv).quick
    results: Figures = {}
    for section in SECTIONS:
        results.update(section(quick))
    _print(results)
    return results


def _print(results: Figures) -> None:
    table = Table(title="Routing benchmark")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in results.items():
        table.add_row(name, f"{value:,}")
    Console().print(table)
    print("RESULT " + " ".join(f"{name}={value}" for name, value in results.items()))


if __name__ == "__main__":
    main()
