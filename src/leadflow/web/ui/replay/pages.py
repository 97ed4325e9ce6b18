"""Routing → Replay: a past period replayed under the configurations then in force (does it
give each lead to the agent history did?) and, beside it, under another version: the leads
that would change agent, each agent's load and the first-contact SLA effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from babel.numbers import format_percent
from fastapi.responses import Response

from leadflow.services.access import scoping
from leadflow.services.assignment import replays
from leadflow.services.reporting import overview
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.formatting import zone
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/replay")
SHOWN = 50
"""Leads listed one by one in each table (the API answers all of them)."""
MOVES = {
    "initial": N_("Arrival"),
    "queue_release": N_("Queue release"),
    "sla": N_("First-contact SLA move"),
    "staff": N_("Staff change"),
    "manual": N_("Manual reassignment"),
    "automation": N_("Automation"),
}
PROBLEMS = {
    "date": N_("Enter a date like 2026-05-01."),
    "order": N_("The period must end on or after its first day."),
    "length": N_("A replay covers at most %(days)s days: shorten the period."),
    "version": N_("Choose one of the listed versions."),
}


@dataclass(frozen=True)
class Asked:
    start: str
    end: str
    version: str

    @property
    def given(self) -> bool:
        return bool(self.start or self.end)


@router.get("")
async def replay_page(page: PageDep) -> Response:
    """The form; with `from` and `to` (days, inclusive, in the organisation's time zone) and
    optionally `version`, the report under it."""
    scoping.require(scoping.can_view_versions(page.viewer), "period replay")
    query = page.request.query_params
    asked = Asked(query.get("from", ""), query.get("to", ""), query.get("version", ""))
    versions = await overview.versions(page.store)
    context: dict[str, Any] = {
        "section": "replay",
        "asked": asked,
        "versions": versions,
        "moves": MOVES,
        "shown": SHOWN,
        "max_days": replays.MAX_DAYS,
        "report": None,
        "problems": {},
        "names": {a.key: a.name for a in (await page.configuration()).agents},
    }
    if not asked.given:
        today = page.now.astimezone(zone(page.fmt.timezone)).date()
        context["asked"] = Asked(str(today - timedelta(days=7)), str(today - timedelta(days=1)), "")
        return page.render("replay/page.html", **context)
    problems = _problems(asked, {v.id for v in versions})
    if problems:
        context["problems"] = {
            field: page.gettext(m, days=replays.MAX_DAYS) for field, m in problems.items()
        }
        return page.render("replay/page.html", status=422, **context)
    start, end = _period(page, asked)
    version = int(asked.version) if asked.version else None
    report = await replays.replay(page.store, start=start, end=end, draft_version=version)
    context["report"] = report
    # One decimal: 98.6 % is not "99 %" against a 99 % target.
    context["agreement"] = format_percent(report.agreement.share, "#,##0.0%", locale=page.locale)
    return page.render("replay/page.html", **context)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _problems(asked: Asked, versions: set[int]) -> dict[str, str]:
    first, last = _day(asked.start), _day(asked.end)
    problems: dict[str, str] = {}
    if first is None:
        problems["from"] = PROBLEMS["date"]
    if last is None:
        problems["to"] = PROBLEMS["date"]
    if first is not None and last is not None:
        if last < first:
            problems["to"] = PROBLEMS["order"]
        elif (last - first).days + 1 > replays.MAX_DAYS:
            problems["to"] = PROBLEMS["length"]
    if asked.version and (not asked.version.isdigit() or int(asked.version) not in versions):
        problems["version"] = PROBLEMS["version"]
    return problems


def _period(page: Page, asked: Asked) -> tuple[datetime, datetime]:
    """The days as instants: from the first day's midnight to the day after the last."""
    here = zone(page.fmt.timezone)
    first, last = date.fromisoformat(asked.start), date.fromisoformat(asked.end)
    start = datetime.combine(first, time.min, here)
    return start, datetime.combine(last + timedelta(days=1), time.min, here)
