"""The lead page's WhatsApp panel: the conversation, and the agent's reply — free text inside the
24-hour customer service window, the connector's approved template outside it (the panel says
which and why). The panel reloads itself when the person writes (a live `message.received`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from leadflow.identity import InvalidLead
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.channels.replies import ReplyRefused
from leadflow.services.work import inbox
from leadflow.web.params import LeadId
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router

router = page_router("/inbox")

STATUSES = {
    "received": N_("received"),
    "queued": N_("waiting to be sent"),
    "accepted": N_("accepted by WhatsApp"),
    "retrying": N_("WhatsApp is busy: trying again"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "read": N_("read"),
    "failed": N_("failed"),
}
"""A message's `detail.status` in words."""
REMEDIES = {
    "template": N_(
        "WhatsApp refused it: the 24-hour window had closed. Send the approved template instead."
    ),
    "retry": N_("WhatsApp is sending too much right now; Leadflow tries again by itself."),
    "give_up": N_("WhatsApp could not deliver this message (error %(code)s)."),
    "reconnect": N_(
        "The WhatsApp connection's access token is no longer valid: an admin must enter a new "
        "one, then retry the message."
    ),
}
REFUSALS = {
    "window_closed": N_(
        "More than 24 hours have passed since the person last wrote: WhatsApp only allows an "
        "approved template now."
    ),
    "no_template": N_("No approved template is set up for this WhatsApp number."),
    "no_whatsapp": N_("This lead has no WhatsApp conversation."),
}

ERRORS = {
    132000: N_(
        "WhatsApp refused the template: the number of its parameters does not match the "
        "approved template. An admin should copy the template again from WhatsApp Manager."
    ),
    132001: N_(
        "WhatsApp does not know this template in this language, or it is not approved yet. "
        "An admin should check the connector's templates."
    ),
}
"""WhatsApp's refusals of a template, in words (the code's own words are shown beside)."""

WORDS: dict[str, Any] = {
    "whatsapp_statuses": STATUSES,
    "whatsapp_remedies": REMEDIES,
    "whatsapp_errors": ERRORS,
}
"""What the panel's template needs besides the conversation (the lead page passes it too)."""


@router.get("/leads/{lead_id}/whatsapp")
async def whatsapp_panel(page: PageDep, lead_id: LeadId) -> Response:
    """The panel alone (what the lead page fetches when the person writes)."""
    organisation = await page.state.organisation.get(page.store)
    try:
        found = await inbox.whatsapp_conversation(
            page.store, organisation, page.viewer, lead_id, page.now
        )
    except UnknownLead:
        raise HTTPException(404) from None
    lead = await page.store.leads.get(lead_id)
    return page.render("inbox/whatsapp.html", whatsapp=found, lead=lead, **WORDS)


@router.post("/leads/{lead_id}/whatsapp")
async def whatsapp_reply(
    page: PageDep,
    lead_id: LeadId,
    text: Annotated[str, Form(max_length=5000)] = "",
    send: Annotated[str, Form()] = "text",
    template: Annotated[str, Form(max_length=600)] = "",
    parameters: Annotated[list[str] | None, Form(max_length=100)] = None,
) -> Response:
    """Free text (`send=text`), or the template `template` ("name:language") with one
    `parameters` per variable (`send=template`)."""
    organisation = await page.state.organisation.get(page.store)
    name, _, language = template.partition(":")
    chosen = name if send == "template" else None
    try:
        await inbox.reply_on_whatsapp(
            page.store, organisation, page.viewer, lead_id, text=text, template=chosen,
            parameters=parameters or [], language=language or None, now=page.now,
        )  # fmt: skip
    except UnknownLead:
        raise HTTPException(404) from None
    except ReplyRefused as refused:
        page.flash(page.gettext(REFUSALS[refused.why]), "error")
    except InvalidLead as invalid:
        page.flash(_problem(page, invalid), "error")
    else:
        await page.store.commit()
        page.flash(page.gettext("WhatsApp message queued for sending."))
    return RedirectResponse(f"/inbox/leads/{lead_id}#whatsapp", status_code=303)


def _problem(page: Page, invalid: InvalidLead) -> str:
    """The reply's first problem in the viewer's language."""
    field = invalid.errors[0].field if invalid.errors else "text"
    if field == "template":
        return page.gettext("Choose one of the approved templates.")
    if field == "parameters":
        return page.gettext("Fill in every variable of the template.")
    if field.startswith("parameters."):
        return page.gettext(
            "Fill in variable %(number)s of the template (one line, at most 1024 characters).",
            number=field.removeprefix("parameters."),
        )
    return page.gettext("Write the message first (at most 4096 characters).")
