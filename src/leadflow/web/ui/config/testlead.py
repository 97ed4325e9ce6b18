"""The "route a test lead now" panel: a lead typed in, routed by the simulator at a chosen time
with today's loads, its decision and trace shown. Nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import Response
from pydantic import ValidationError

from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.assignment import simulation
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.context import Page
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import LABELS

LEAD_FIELDS = ("country", "language", "phone", "source", "treatment")
_PANEL = "config/_test_result.html"


def panel_context(page: Page, *, draft_possible: bool) -> dict[str, Any]:
    local = page.now.astimezone(ZoneInfo(page.account.timezone))
    return {
        "test_at": local.strftime("%Y-%m-%dT%H:%M"),
        "sources": list(LABELS["source"]),
        "treatments": list(LABELS["treatment"]),
        "draft_possible": draft_possible,
    }


def read_test_lead(
    sent: Mapping[str, Any], timezone: str, now: datetime
) -> tuple[LeadSubmission | None, datetime, FieldProblems]:
    """The lead and the moment to route it at (the viewer's local time), or the problems."""
    problems = FieldProblems()
    data: dict[str, Any] = {
        name: str(sent.get(f"lead_{name}", "")).strip() or None for name in LEAD_FIELDS
    }
    data["source"] = data["source"] or "website"
    data["custom"] = _custom(problems, str(sent.get("lead_custom", "")))
    at = now
    text = str(sent.get("lead_at", "")).strip()
    if text:
        try:
            at = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(timezone))
        except ValueError:
            problems.add("lead_at", N_("Enter a date and time like 2026-12-01T10:30."))
    try:
        submission = LeadSubmission.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.add(f"lead_{error['loc'][0]}", N_("This value is not accepted: %(why)s"),
                         why=error["msg"])  # fmt: skip
        return None, at, problems
    return (None if problems else submission), at, problems


def _custom(problems: FieldProblems, text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            problems.add("lead_custom", N_("One field a line, as name=value."))
            continue
        found[name.strip()] = value.strip()
    return found


async def route_test_lead(
    page: Page, sent: Mapping[str, Any], live: Configuration, draft: Configuration | None
) -> Response:
    submission, at, problems = read_test_lead(sent, page.account.timezone, page.now)
    if submission is None:
        return page.render(_PANEL, status=422, problems=problems.worded(page.gettext))
    try:
        decision = await simulation.simulate_lead(
            page.store,
            page.state.organisation,
            submission,
            at=at,
            draft=draft,
            threshold=page.state.settings.language_confidence,
        )
    except InvalidLead as exc:
        # The intake's own words (English, as the API gives them), named by field.
        found = {f"lead_{error.field}": error.message for error in exc.errors}
        return page.render(_PANEL, status=422, problems=found)
    configuration = draft or live
    return page.render(
        _PANEL,
        problems={},
        decision=decision,
        at=at,
        used_draft=draft is not None,
        agent_names={a.key: a.name for a in configuration.agents},
        pipeline_names={p.key: p.name for p in configuration.pipelines},
    )


def draft_refused(page: Page, problems: dict[str, str]) -> Response:
    """The rule being edited is not valid, so it cannot be tried."""
    return page.render(_PANEL, status=422, problems=problems, draft_problems=True)
