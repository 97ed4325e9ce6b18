"""A decision as a trace and back: the JSON-serialisable record with stable keys that storage
and the API keep (`Decision.to_trace`), and the decision rebuilt from it (`Decision.from_trace`),
old traces included (stored before reasons had codes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from leadflow.domain.configuration import NoAgentAction, Strategy
from leadflow.domain.reasons import Reason, as_text
from leadflow.domain.roster import PoolState
from leadflow.routing.decision import FACT_NAMES, Attempt, Decision, Exclusion, StickyCheck
from leadflow.routing.outcomes import ExclusionReason, Outcome, Via


def decision_trace(decision: Decision) -> dict[str, Any]:
    """`Decision.to_trace`: a JSON-serialisable record with stable keys, for storage and API."""
    return {
        "outcome": decision.outcome.value,
        "agent": decision.agent,
        "pipeline": decision.pipeline,
        "rule": decision.rule,
        "via": _value(decision.via),
        "no_agent_action": _value(decision.no_agent_action),
        "reason": decision.reason,
        "why": decision.why.to_trace(),
        "rules_checked": [
            {"rule": key, "matched": key == decision.rule} for key in decision.rules_checked
        ],
        "sticky": None if decision.sticky is None else _sticky_trace(decision.sticky),
        "attempts": [_attempt_trace(a) for a in decision.attempts],
        "no_agent_exclusion": _exclusion_trace(decision.no_agent_exclusion),
        "pool_state": None if decision.pool_state is None else _pool_trace(decision.pool_state),
        "config_version": decision.config_version,
        "decided_at": decision.decided_at.isoformat(),
    }


def decision_from(trace: Mapping[str, Any]) -> Decision:
    """`Decision.from_trace`: rebuild a decision from `decision_trace` output."""
    return Decision(
        outcome=Outcome(trace["outcome"]),
        agent=trace["agent"],
        pipeline=trace["pipeline"],
        rule=trace["rule"],
        via=None if trace["via"] is None else Via(trace["via"]),
        no_agent_action=_action(trace["no_agent_action"]),
        why=_why(trace),
        rules_checked=tuple(check["rule"] for check in trace["rules_checked"]),
        attempts=tuple(_attempt_from(a) for a in trace["attempts"]),
        sticky=None if trace["sticky"] is None else _sticky_from(trace["sticky"]),
        no_agent_exclusion=_exclusion_from(trace["no_agent_exclusion"]),
        pool_state=None if trace["pool_state"] is None else _pool_from(trace["pool_state"]),
        config_version=trace["config_version"],
        decided_at=datetime.fromisoformat(trace["decided_at"]),
    )


def _value(member: StrEnum | None) -> str | None:
    return None if member is None else member.value


def _action(value: str | None) -> NoAgentAction | None:
    return None if value is None else NoAgentAction(value)


def _why(trace: Mapping[str, Any]) -> Reason:
    """The stored reason; a trace from before reasons had codes keeps its English words."""
    found = trace.get("why")
    return as_text(str(trace["reason"])) if found is None else Reason.from_trace(found)


def _exclusion_trace(exclusion: Exclusion | None) -> dict[str, Any] | None:
    if exclusion is None:
        return None
    # No words: they are rendered when read, in the reader's language (the trace scope adds
    # them for the API), not for every excluded member of every decision.
    found: dict[str, Any] = {
        "agent": exclusion.agent,
        "reason": exclusion.reason.value,
        "params": {
            name: value.to_trace() if isinstance(value, Reason) else value
            for name, value in exclusion.params.items()
        },
    }
    if exclusion.detail is not None:
        found["detail"] = exclusion.words.to_trace()
    return found


def _exclusion_from(trace: Mapping[str, Any] | None) -> Exclusion | None:
    if trace is None:
        return None
    reason = ExclusionReason(trace["reason"])
    if "params" not in trace:  # stored before reasons had codes: its words as they were
        return Exclusion(trace["agent"], reason, (), trace["message"])
    params = Reason.from_trace({"code": reason.value, "params": trace["params"]}).params
    facts = tuple(params[name] for name in FACT_NAMES.get(reason, ()))
    detail = None if trace.get("detail") is None else Reason.from_trace(trace["detail"])
    if detail is not None and detail.code == "text":
        return Exclusion(trace["agent"], reason, facts, detail.params["text"])
    return Exclusion(trace["agent"], reason, facts, detail)


def _attempt_trace(attempt: Attempt) -> dict[str, Any]:
    return {
        "pipeline": attempt.pipeline,
        "strategy": attempt.strategy.value,
        "candidates": list(attempt.candidates),
        "exclusions": [_exclusion_trace(e) for e in attempt.exclusions],
        "eligible": list(attempt.eligible),
        "chosen": attempt.chosen,
        "reason": attempt.reason,
        "why": attempt.why.to_trace(),
        "scores": dict(attempt.scores),
    }


def _attempt_from(trace: Mapping[str, Any]) -> Attempt:
    exclusions = (_exclusion_from(e) for e in trace["exclusions"])
    return Attempt(
        pipeline=trace["pipeline"],
        strategy=Strategy(trace["strategy"]),
        candidates=tuple(trace["candidates"]),
        exclusions=tuple(e for e in exclusions if e is not None),
        eligible=tuple(trace["eligible"]),
        chosen=trace["chosen"],
        why=_why(trace),
        scores=dict(trace["scores"]),
    )


def _sticky_trace(sticky: StickyCheck) -> dict[str, Any]:
    return {
        "owner": sticky.owner,
        "owner_exclusion": _exclusion_trace(sticky.owner_exclusion),
        "backup": sticky.backup,
        "backup_exclusion": _exclusion_trace(sticky.backup_exclusion),
        "result": sticky.result.value,
        "reason": sticky.reason,
        "why": sticky.why.to_trace(),
    }


def _sticky_from(trace: Mapping[str, Any]) -> StickyCheck:
    return StickyCheck(
        owner=trace["owner"],
        owner_exclusion=_exclusion_from(trace["owner_exclusion"]),
        backup=trace["backup"],
        backup_exclusion=_exclusion_from(trace["backup_exclusion"]),
        result=Via(trace["result"]),
        why=_why(trace),
    )


def _pool_trace(state: PoolState) -> dict[str, Any]:
    return {"current": dict(state.current), "last": state.last}


def _pool_from(trace: Mapping[str, Any]) -> PoolState:
    return PoolState(current=dict(trace["current"]), last=trace["last"])
