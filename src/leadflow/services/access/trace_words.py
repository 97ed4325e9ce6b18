"""A decision's trace in the reader's language: its sentences (`reason`, each exclusion's
`message`, the `explanation`) are written from its codes and parameters when it is answered,
in the caller's language; the codes and parameters are the same in every language.

A trace stored before reasons had codes keeps its English words; an exclusion stored without
`params` keeps its stored `message`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Configuration
from leadflow.domain.reasons import N_, Reason
from leadflow.locale.catalogs import translations
from leadflow.locale.speech import say, spoken
from leadflow.routing import Decision
from leadflow.routing.explanation.account import account_text
from leadflow.services.access.scoping import Viewer
from leadflow.services.access.trace_scope import (
    ANOTHER_AGENT,
    ANOTHER_PIPELINE,
    ANOTHER_RULE,
    scoped_trace,
    trace_scope,
)

_UNNAMED = {
    ANOTHER_AGENT: N_("another agent"),
    ANOTHER_PIPELINE: N_("another pipeline"),
    ANOTHER_RULE: N_("another rule"),
}


def worded(trace: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """`trace` (a `scoped_trace`) with its sentences in `locale`."""
    named = _unnamed_in(trace, locale)
    found = {**trace, "reason": _sentence(named, locale)}
    found["attempts"] = [
        {
            **attempt,
            "reason": _sentence(words, locale),
            "exclusions": [
                _exclusion(e, w, locale)
                for e, w in zip(attempt["exclusions"], words["exclusions"], strict=True)
            ],
        }
        for attempt, words in zip(trace.get("attempts") or [], named.get("attempts") or [],
                                  strict=True)
    ]  # fmt: skip
    sticky, words = trace.get("sticky"), named.get("sticky")
    if sticky is not None:
        found["sticky"] = {
            **sticky,
            "reason": _sentence(words, locale),
            "owner_exclusion": _exclusion(
                sticky["owner_exclusion"], words["owner_exclusion"], locale
            ),
            "backup_exclusion": _exclusion(
                sticky["backup_exclusion"], words["backup_exclusion"], locale
            ),
        }
    found["no_agent_exclusion"] = _exclusion(
        trace.get("no_agent_exclusion"), named.get("no_agent_exclusion"), locale
    )
    return found


def explanation(trace: Mapping[str, Any], locale: str, zone: ZoneInfo) -> str:
    """The account of `trace` (a `scoped_trace`), a line each, in `locale`; its moment in
    `zone`."""
    return account_text(Decision.from_trace(_unnamed_in(trace, locale)), spoken(locale), zone)


def simulated(
    decision: Decision, viewer: Viewer, configuration: Configuration, locale: str
) -> dict[str, Any]:
    """A simulated decision as the viewer may see it, with its explanation, in `locale`."""
    trace = scoped_trace(decision.to_trace(), trace_scope(viewer, configuration), configuration)
    zone = ZoneInfo(configuration.organisation.timezone)
    return {"decision": worded(trace, locale), "explanation": explanation(trace, locale, zone)}


def why_not_text(reasons: list[dict[str, Any]], reassigned_to: str | None, locale: str) -> str:
    """A "why not?" answer (`scoped_reasons`), a line each, in `locale`; with the agent the
    lead went to since, if it changed hands."""
    lines = [say(Reason.from_trace(_unnamed_in(r, locale)), locale) for r in reasons]
    if reassigned_to is not None:
        since = translations(locale).gettext(N_("since then the lead was reassigned to %(agent)s"))
        lines.append(since % {"agent": _unnamed_in(reassigned_to, locale)})
    return "\n".join(lines)


def said(reason: Reason, locale: str) -> str:
    """A (scoped) coded reason in `locale`, names hidden from the viewer worded too."""
    return say(Reason.from_trace(_unnamed_in(reason.to_trace(), locale)), locale)


def _sentence(found: Mapping[str, Any], locale: str) -> str:
    why = found.get("why")
    return str(found.get("reason") or "") if why is None else say(Reason.from_trace(why), locale)


def _exclusion(
    found: Mapping[str, Any] | None, words: Mapping[str, Any] | None, locale: str
) -> dict[str, Any] | None:
    """An exclusion with its `message` written from its reason, `params` and `detail`."""
    if found is None or words is None:
        return None
    if "params" not in words:
        return dict(found)
    detail = words.get("detail")
    reason = (
        Reason.from_trace(detail) if detail is not None
        else Reason.from_trace({"code": f"exclusion.{words['reason']}", "params": words["params"]})
    )  # fmt: skip
    return {**found, "message": say(reason, locale)}


def _unnamed_in(value: Any, locale: str) -> Any:
    """A copy of `value` whose "another agent" (a name the viewer may not see) and the like
    read in `locale`."""
    words = translations(locale).gettext
    return _replaced(value, [(unnamed, words(template)) for unnamed, template in _UNNAMED.items()])


def _replaced(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for unnamed, named in pairs:
            value = value.replace(unnamed, named)
        return value
    if isinstance(value, Mapping):
        return {key: _replaced(item, pairs) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, pairs) for item in value]
    return value
