"""What of a routing decision a viewer may see: one rule for the lead page, the decision API and
simulation.

Admins, managers and integrations see the whole trace. Anyone else sees their own agents (a
team lead: their teams'; an agent: themselves) and the pipelines and rules of those teams;
every other agent is "another agent", with no status (their exclusion is left out) and no score,
every other pipeline "another pipeline", every other rule "another rule". The trace keeps its
shape, so it still reads as a Decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.domain.reasons import Reason
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Role, Viewer

ANOTHER_AGENT = "another agent"
ANOTHER_PIPELINE = "another pipeline"
ANOTHER_RULE = "another rule"


@dataclass(frozen=True)
class TraceScope:
    """The agents, pipelines and rules a viewer may see by name; `everything` for those who
    see every team."""

    everything: bool
    agents: frozenset[str] = frozenset()
    pipelines: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()

    def agent(self, key: str | None) -> str | None:
        if key is None or self.everything or key in self.agents:
            return key
        return ANOTHER_AGENT

    def pipeline(self, key: str | None) -> str | None:
        if key is None or self.everything or key in self.pipelines:
            return key
        return ANOTHER_PIPELINE

    def rule(self, key: str | None) -> str | None:
        if key is None or self.everything or key in self.rules:
            return key
        return ANOTHER_RULE


def trace_scope(viewer: Viewer, configuration: Configuration) -> TraceScope:
    if scoping.sees_everything(viewer):
        return TraceScope(everything=True)
    agents = scoping.visible_agents(viewer, configuration.agents)
    teams = _teams(viewer, configuration)
    pipelines = frozenset(p.key for p in configuration.pipelines if p.team in teams)
    rules = frozenset(r.key for r in configuration.rules if {r.pipeline, *r.fallback} & pipelines)
    return TraceScope(False, frozenset(a.key for a in agents), pipelines, rules)


def _teams(viewer: Viewer, configuration: Configuration) -> frozenset[str]:
    if viewer.role is Role.TEAM_LEAD:
        return viewer.team_keys
    own = next((a for a in configuration.agents if a.key == viewer.agent_key), None)
    return frozenset({own.team}) if own is not None else frozenset()


class _Redaction:
    """Rewrites one trace for a scope: names by field, free text by the names it contains."""

    def __init__(self, scope: TraceScope, names: Iterable[str], pipelines: Iterable[str]) -> None:
        self.scope = scope
        hidden = {n: ANOTHER_AGENT for n in names if scope.agent(n) != n}
        hidden |= {p: ANOTHER_PIPELINE for p in pipelines if scope.pipeline(p) != p}
        self.hidden = hidden
        longest_first = sorted(hidden, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, longest_first)) + r")(?![\w.-])")
            if hidden
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.hidden[m.group(1)], value)

    def why(self, found: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """A reason's code and parameters, each name in them rewritten like free text."""
        if found is None:
            return None
        return {"code": found["code"], "params": {k: self._param(v) for k, v in
                                                  (found.get("params") or {}).items()}}  # fmt: skip

    def _param(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return self.why(value)
        return self.text(value) if isinstance(value, str) else value

    def exclusion(self, found: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if found is None or self.scope.agent(found["agent"]) != found["agent"]:
            return None
        return dict(found)

    def attempt(self, attempt: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **attempt,
            "pipeline": self.scope.pipeline(attempt["pipeline"]),
            "candidates": [self.scope.agent(a) for a in attempt["candidates"]],
            "exclusions": [e for e in map(self.exclusion, attempt["exclusions"]) if e],
            "eligible": [self.scope.agent(a) for a in attempt["eligible"]],
            "chosen": self.scope.agent(attempt["chosen"]),
            "reason": self.text(attempt["reason"]),
            "why": self.why(attempt.get("why")),
            "scores": {k: v for k, v in attempt["scores"].items() if k.startswith("~")
                       or self.scope.agent(k) == k},
        }  # fmt: skip

    def sticky(self, sticky: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if sticky is None:
            return None
        return {
            **sticky,
            "owner": self.scope.agent(sticky["owner"]),
            "owner_exclusion": self.exclusion(sticky["owner_exclusion"]),
            "backup": self.scope.agent(sticky["backup"]),
            "backup_exclusion": self.exclusion(sticky["backup_exclusion"]),
            "reason": self.text(sticky["reason"]),
            "why": self.why(sticky.get("why")),
        }


def _agents_named(trace: Mapping[str, Any]) -> set[str]:
    """Every agent key the trace names, whatever configuration version decided it."""
    names = {trace.get("agent")}
    for attempt in trace.get("attempts") or []:
        names |= {*attempt["candidates"], *attempt["scores"], attempt["chosen"]}
    sticky = trace.get("sticky") or {}
    names |= {sticky.get("owner"), sticky.get("backup")}
    names |= {(trace.get("no_agent_exclusion") or {}).get("agent")}
    return {n for n in names if n and not n.startswith("~")}


def scoped_trace(
    trace: Mapping[str, Any], scope: TraceScope, configuration: Configuration
) -> dict[str, Any]:
    """`trace` (Decision.to_trace()) as `scope` may see it."""
    if scope.everything:
        return dict(trace)
    redaction = _redaction(scope, configuration, _agents_named(trace))
    pool = trace.get("pool_state")
    return {
        **trace,
        "agent": scope.agent(trace.get("agent")),
        "pipeline": scope.pipeline(trace.get("pipeline")),
        "rule": scope.rule(trace.get("rule")),
        "reason": redaction.text(trace.get("reason", "")),
        "why": redaction.why(trace.get("why")),
        "rules_checked": [
            {**r, "rule": scope.rule(r["rule"])} for r in trace.get("rules_checked", [])
        ],
        "sticky": redaction.sticky(trace.get("sticky")),
        "attempts": [redaction.attempt(a) for a in trace.get("attempts") or []],
        "no_agent_exclusion": redaction.exclusion(trace.get("no_agent_exclusion")),
        "pool_state": None
        if pool is None
        else {"current": {}, "last": scope.agent(pool.get("last"))},
        **({"handover": redaction.why(trace["handover"])} if "handover" in trace else {}),
    }


def scoped_text(
    text: str, scope: TraceScope, configuration: Configuration, names: Iterable[str] = ()
) -> str:
    """Free text about a decision (a "why not?" answer, a history reason) for `scope`."""
    if scope.everything:
        return text
    return _redaction(scope, configuration, set(names)).text(text)


def scoped_why(
    trace: Mapping[str, Any], scope: TraceScope, configuration: Configuration, key: str = "why"
) -> Reason | None:
    """The coded reason of a stored decision (`trace["why"]`; `key="handover"`: why the lead
    changed hands) for `scope`; None for a trace from before reasons had codes."""
    found = trace.get(key)
    if found is None:
        return None
    if scope.everything:
        return Reason.from_trace(found)
    redacted = _redaction(scope, configuration, _agents_named(trace)).why(found)
    return None if redacted is None else Reason.from_trace(redacted)


def scoped_reasons(
    reasons: Iterable[Reason], scope: TraceScope, configuration: Configuration
) -> list[dict[str, Any]]:
    """Coded reasons about a decision (a "why not?" answer) for `scope`, as JSON."""
    found = [reason.to_trace() for reason in reasons]
    if scope.everything:
        return found
    redaction = _redaction(scope, configuration, set())
    return [r for r in map(redaction.why, found) if r is not None]


def _redaction(scope: TraceScope, configuration: Configuration, named: set[str]) -> _Redaction:
    agents = named | {a.key for a in configuration.agents}
    return _Redaction(scope, agents, (p.key for p in configuration.pipelines))


def scoped_history(
    entries: Iterable[Mapping[str, Any]], scope: TraceScope, configuration: Configuration
) -> list[dict[str, Any]]:
    """`decisions.history_view` entries for `scope`: other agents, pipelines and rules unnamed."""
    redaction = _redaction(scope, configuration, set())
    return [
        {
            **entry,
            "agent": scope.agent(entry["agent"]),
            "previous_agent": scope.agent(entry["previous_agent"]),
            "pipeline": scope.pipeline(entry["pipeline"]),
            "rule": scope.rule(entry["rule"]),
            "reason": scoped_text(entry["reason"], scope, configuration),
            "why": redaction.why(entry.get("why")),
        }
        for entry in entries
    ]
