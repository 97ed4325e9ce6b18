"""What routing one lead reads and locks, pure: the pipelines it may land in and every agent in
them. The service loads and locks exactly these before it routes the lead for real.

The lead is first routed against an idle roster (everyone available, nobody busy): enough to
learn which rule matches, and so which pipelines, pools and agents the real decision can touch.
That costs one engine call more per lead; it buys locking only what the decision needs.
"""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import Configuration
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import Roster
from leadflow.routing.compiled import CompiledConfig
from leadflow.routing.decision import Decision
from leadflow.routing.engine import route

IDLE = Roster(agents={})
"""Everyone idle and available: enough to learn which rule, and so which pools, apply."""


def pipelines_of(
    configuration: Configuration, compiled: CompiledConfig, lead: RoutableLead, now: datetime
) -> tuple[str, ...]:
    """The pipelines `lead` may land in: its rule's pipeline and fallbacks."""
    return tuple(_chain(configuration, route(lead, IDLE, compiled, now)))


def agents_of(configuration: Configuration, pipelines: list[str], lead: RoutableLead) -> set[str]:
    """Every agent routing `lead` in `pipelines` may read: the pools' members, each pipeline's
    no-agent fallback agent, the lead's sticky owner and the owner's backup."""
    keys: set[str] = set()
    for key in pipelines:
        pipeline = configuration.pipeline(key)
        keys.update(member.agent for member in pipeline.pool.members)
        if pipeline.when_no_agent.agent:
            keys.add(pipeline.when_no_agent.agent)
    if lead.previous_owner:
        keys.add(lead.previous_owner)
        owner = next((a for a in configuration.agents if a.key == lead.previous_owner), None)
        if owner is not None and owner.backup:
            keys.add(owner.backup)
    return keys


def needs(
    configuration: Configuration, compiled: CompiledConfig, lead: RoutableLead, now: datetime
) -> tuple[list[str], set[str]]:
    """What routing `lead` reads and locks: its pipelines and every agent in them."""
    pipelines = list(pipelines_of(configuration, compiled, lead, now))
    return pipelines, agents_of(configuration, pipelines, lead)


def _chain(configuration: Configuration, decision: Decision) -> list[str]:
    if decision.rule is not None:
        rule = next(r for r in configuration.rules if r.key == decision.rule)
        return [rule.pipeline, *rule.fallback]
    return [decision.pipeline] if decision.pipeline else []
