"""`route`: one lead, the roster at this moment, a compiled configuration → a Decision."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.domain.configuration import NoAgentAction
from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Reason
from leadflow.domain.roster import PoolState, RosterView
from leadflow.routing.attempt import try_pipeline
from leadflow.routing.compiled import CompiledConfig, CompiledPipeline, CompiledRule
from leadflow.routing.decision import Attempt, Decision, Exclusion, Outcome, StickyCheck, Via
from leadflow.routing.facts import Facts
from leadflow.routing.no_agent import apply_no_agent_policy
from leadflow.routing.sticky import sticky_check


def route(
    lead: RoutableLead, roster: RosterView, config: CompiledConfig, now: datetime
) -> Decision:
    """Route `lead` at `now` (aware). Pure: the same inputs always give the same decision.

    The first enabled rule that matches (lowest priority first) names a pipeline and its
    fallbacks, else the default pipeline; a repeat lead may go back to its owner first; then
    each pipeline in turn until one has an eligible agent; else the first pipeline's no-agent
    policy. The decision says why at every step.
    """
    rule, checked = _first_match(config, Facts(lead, now))
    utc = now if now.tzinfo is UTC else now.astimezone(UTC)
    trail = _Trail(rule.key if rule else None, checked, config.version, now, utc)
    if rule is not None:
        return _route_through(lead, rule.pipelines, roster, config, trail)
    if config.default_pipeline is not None:
        return _route_through(lead, (config.default_pipeline,), roster, config, trail)
    return trail.decide(Outcome.NO_RULE, Reason("decision.no_rule", {"count": len(checked)}))


def _first_match(
    config: CompiledConfig, facts: Facts
) -> tuple[CompiledRule | None, tuple[str, ...]]:
    rules = config.rules
    for position in config.index.positions(facts.lead):
        if rules[position].matches(facts):
            # Rules the index skipped could not match: the trace lists every rule up to this one.
            return rules[position], config.rule_keys[: position + 1]
    return None, config.rule_keys


def _route_through(
    lead: RoutableLead,
    chain: tuple[CompiledPipeline, ...],
    roster: RosterView,
    config: CompiledConfig,
    trail: _Trail,
) -> Decision:
    first = chain[0]
    trail.sticky = sticky_check(lead, first, roster, config, trail.utc)
    if trail.sticky is not None and trail.sticky.result is not Via.POOL:
        return _to_owner(trail, first.key, trail.sticky)
    fit = (_lower(lead.language), _lower(lead.treatment))
    for index, pipeline in enumerate(chain):
        attempt, state = try_pipeline(pipeline, lead, roster, trail.utc, fit)
        trail.attempts.append(attempt)
        if attempt.chosen is not None:
            return _from_pool(trail, attempt, state, fallback=index > 0)
    return _no_agent(trail, first, roster, config)


def _lower(text: str | None) -> str | None:
    return text.lower() if text else None


def _to_owner(trail: _Trail, pipeline: str, sticky: StickyCheck) -> Decision:
    agent = sticky.backup if sticky.result is Via.BACKUP else sticky.owner
    return trail.decide(
        Outcome.ASSIGNED, sticky.why, agent=agent, pipeline=pipeline, via=sticky.result
    )


def _from_pool(
    trail: _Trail, attempt: Attempt, state: PoolState | None, *, fallback: bool
) -> Decision:
    why = attempt.why
    if fallback:
        tried = ", ".join(a.pipeline for a in trail.attempts[:-1])
        why = Reason(
            "decision.fallback", {"tried": tried, "pipeline": attempt.pipeline, "then": why}
        )
    return trail.decide(
        Outcome.ASSIGNED,
        why,
        agent=attempt.chosen,
        pipeline=attempt.pipeline,
        via=Via.FALLBACK if fallback else Via.POOL,
        pool_state=state,
    )


def _no_agent(
    trail: _Trail, first: CompiledPipeline, roster: RosterView, config: CompiledConfig
) -> Decision:
    tried = [a.pipeline for a in trail.attempts]
    fallout = apply_no_agent_policy(first, tried, roster, config)
    trail.action = fallout.action
    trail.no_agent_exclusion = fallout.exclusion
    return trail.decide(
        fallout.outcome, fallout.why, agent=fallout.agent, pipeline=first.key, via=fallout.via
    )


class _Trail:
    """What one decision has gathered so far."""

    __slots__ = (
        "action", "attempts", "no_agent_exclusion", "now", "rule", "rules_checked", "sticky",
        "utc", "version",
    )  # fmt: skip

    def __init__(
        self,
        rule: str | None,
        rules_checked: tuple[str, ...],
        version: int | None,
        now: datetime,
        utc: datetime,
    ) -> None:
        self.rule = rule
        self.rules_checked = rules_checked
        self.version = version
        self.now = now
        self.utc = utc
        self.sticky: StickyCheck | None = None
        self.attempts: list[Attempt] = []
        self.action: NoAgentAction | None = None
        self.no_agent_exclusion: Exclusion | None = None

    def decide(
        self,
        outcome: Outcome,
        why: Reason,
        *,
        agent: str | None = None,
        pipeline: str | None = None,
        via: Via | None = None,
        pool_state: PoolState | None = None,
    ) -> Decision:
        return Decision(
            outcome=outcome,
            agent=agent,
            pipeline=pipeline,
            rule=self.rule,
            via=via,
            no_agent_action=self.action,
            why=why,
            rules_checked=self.rules_checked,
            attempts=tuple(self.attempts),
            sticky=self.sticky,
            no_agent_exclusion=self.no_agent_exclusion,
            pool_state=pool_state,
            config_version=self.version,
            decided_at=self.now,
        )
