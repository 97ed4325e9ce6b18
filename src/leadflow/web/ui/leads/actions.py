"""The leads page's bulk changes: the ticked leads reassigned to an agent or moved to a stage,
each exactly as it would be alone; the page then says how many were changed and, lead by lead,
why the others were refused."""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import scoping
from leadflow.services.leads import bulk
from leadflow.services.leads.bulk import BulkResult, Refusal, Refused
from leadflow.services.leads.views import kept_query
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router()

REFUSALS = {
    Refused.NOT_FOUND: N_("not found, or not one of your leads"),
    Refused.OUTSIDE_TEAMS: N_("outside your teams"),
    Refused.UNKNOWN_AGENT: N_("no such agent"),
    Refused.AGENT_LEFT: N_("the agent has left and cannot take leads"),
    Refused.ALREADY_OWNER: N_("the agent owns it already"),
    Refused.NOT_IN_PIPELINE: N_("its pipeline has no such stage"),
    Refused.NEEDS_LOST_REASON: N_("a lost lead needs a reason: choose one"),
    Refused.MISSING_FIELDS: N_("the stage requires fields it lacks: %(fields)s"),
}
SHOWN_REFUSALS = 20
"""Refused leads named one by one at most; the rest are counted."""


def _ids(values: list[str]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values if v.isdigit() and len(v) < 19))


def _refusal(page: Page, refusal: Refusal) -> str:
    reason = page.gettext(REFUSALS[refusal.reason], fields=", ".join(refusal.fields))
    return page.gettext("Lead #%(lead)s: %(reason)s", lead=str(refusal.lead_id), reason=reason)


def _report(page: Page, result: BulkResult, done: str) -> None:
    if result.done:
        page.flash(page.gettext(done, count=str(len(result.done))))
    if result.refused:
        page.flash(
            page.gettext("Leads refused: %(count)s.", count=str(len(result.refused))), "error"
        )
    for refusal in result.refused[:SHOWN_REFUSALS]:
        page.flash(_refusal(page, refusal), "error")
    if len(result.refused) > SHOWN_REFUSALS:
        more = str(len(result.refused) - SHOWN_REFUSALS)
        page.flash(page.gettext("…and %(count)s more.", count=more), "error")


@router.post("/bulk")
async def bulk_change(page: PageDep) -> Response:
    """`action=reassign` (to `agent`, with a `reason`) or `action=stage` (to `stage`, with a
    `lost_reason` for a lost stage) on each ticked `lead`."""
    scoping.require(scoping.can_list_leads(page.viewer), "the leads list")
    form = await page.request.form()
    back = RedirectResponse(f"/leads?{kept_query(str(form.get('query', '')))}", status_code=303)
    ids = _ids([str(v) for v in form.getlist("lead")])
    action = str(form.get("action", ""))
    if not ids:
        page.flash(page.gettext("Tick the leads to change first."), "error")
        return back
    if action == "reassign":
        reason = " ".join(str(form.get("reason", "")).split())
        agent = str(form.get("agent", ""))
        if not agent or len(reason) < 3 or len(reason) > 500:
            page.flash(
                page.gettext("Choose an agent and give a reason (3 to 500 characters)."), "error"
            )
            return back
        result = await bulk.reassign(
            page.store, page.state.organisation, page.viewer, ids, agent=agent, reason=reason,
            now=page.now,
        )  # fmt: skip
        done = N_("Leads reassigned: %(count)s.")
    elif action == "stage":
        stage = str(form.get("stage", ""))
        if not stage:
            page.flash(page.gettext("Choose a stage."), "error")
            return back
        organisation = await page.state.organisation.get(page.store)
        result = await bulk.move(
            page.store, organisation, page.viewer, ids, stage=stage,
            lost_reason=str(form.get("lost_reason", "")) or None, now=page.now,
        )  # fmt: skip
        done = N_("Leads moved: %(count)s.")
    else:
        page.flash(page.gettext("Choose what to do with the ticked leads."), "error")
        return back
    await page.store.commit()
    _report(page, result, done)
    return back
