"""A decision's full account, a line each, as reasons: what `leadflow explain` prints and the
API's `explanation` says, in the reader's language (`Decision.explain` gives it in English)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from leadflow.domain.reasons import ENGLISH, Language, Param, Reason, as_term, at_moment, render
from leadflow.routing.decision import Attempt, Decision, Exclusion, Outcome, StickyCheck

UTC = ZoneInfo("UTC")

Line = tuple[int, Reason]
"""A line of the account: its depth (0 a heading, 1 a detail under it) and its words."""


def account(decision: Decision, zone: ZoneInfo = UTC) -> list[Line]:
    """The decision step by step; its moment told in `zone` (the organisation's time zone)."""
    lines: list[Line] = [
        (0, _headline(decision)),
        (0, Reason("account.why", {"why": decision.why})),
        (0, _rules(decision)),
    ]
    if decision.sticky is not None:
        lines.append((0, _sticky(decision.sticky)))
    for attempt in decision.attempts:
        lines.extend(_attempt(attempt))
    if decision.no_agent_action is not None:
        action = as_term("no_agent", decision.no_agent_action)
        lines.append((0, Reason("account.no_agent", {"action": action})))
    if decision.no_agent_exclusion is not None:
        lines.append((1, _exclusion("account.unusable", decision.no_agent_exclusion)))
    lines.append((0, _version(decision, zone)))
    return lines


def account_text(decision: Decision, language: Language = ENGLISH, zone: ZoneInfo = UTC) -> str:
    """The account in `language`, a line each, details indented."""
    return "\n".join("  " * depth + render(reason, language) for depth, reason in account(
        decision, zone))  # fmt: skip


def _headline(decision: Decision) -> Reason:
    pipeline: Param = decision.pipeline or ""
    if decision.outcome is Outcome.ASSIGNED:
        params: dict[str, Param] = {"agent": decision.agent or "", "pipeline": pipeline}
        if decision.via is None:
            return Reason("account.assigned", params)
        return Reason("account.assigned_via", {**params, "via": as_term("via", decision.via)})
    if decision.outcome is Outcome.QUEUED:
        return Reason("account.queued", {"pipeline": pipeline})
    if decision.outcome is Outcome.UNASSIGNED:
        return Reason("account.unassigned", {"pipeline": pipeline})
    return Reason("account.no_rule")


def _rules(decision: Decision) -> Reason:
    marks = [f"{key} {'✓' if key == decision.rule else '✗'}" for key in decision.rules_checked]
    checked: Param = ", ".join(marks) if marks else Reason("account.no_rules")
    if decision.rule is not None:
        return Reason("account.rule_matched", {"rule": decision.rule, "checked": checked})
    if decision.outcome is Outcome.NO_RULE:
        return Reason("account.rule_none", {"checked": checked})
    return Reason("account.rule_default", {"checked": checked})


def _sticky(sticky: StickyCheck) -> Reason:
    result = as_term("via", sticky.result)
    return Reason("account.sticky", {"owner": sticky.owner, "result": result, "why": sticky.why})


def _attempt(attempt: Attempt) -> list[Line]:
    head: dict[str, Param] = {
        "pipeline": attempt.pipeline,
        "strategy": as_term("strategy", attempt.strategy),
        "candidates": len(attempt.candidates),
        "eligible": len(attempt.eligible),
    }
    lines: list[Line] = [(0, Reason("account.pipeline", head))]
    lines.extend((1, _exclusion("account.excluded", e)) for e in attempt.exclusions)
    if attempt.eligible:
        lines.append((1, Reason("account.eligible", {"agents": ", ".join(attempt.eligible)})))
    if attempt.chosen:
        lines.append((1, Reason("account.chose", {"agent": attempt.chosen, "why": attempt.why})))
    else:
        lines.append((1, Reason("account.chose_nobody", {"why": attempt.why})))
    return lines


def _exclusion(code: str, exclusion: Exclusion) -> Reason:
    check = as_term("check", exclusion.reason)
    return Reason(code, {"agent": exclusion.agent, "check": check, "why": exclusion.words})


def _version(decision: Decision, zone: ZoneInfo) -> Reason:
    version: Param = (
        Reason("account.unversioned") if decision.config_version is None
        else decision.config_version
    )  # fmt: skip
    moment = at_moment(decision.decided_at, zone)
    return Reason("account.version", {"version": version, "at": moment})
