"""A lead's WhatsApp conversation over the API: how one may write now (free text inside the
24-hour window, an approved template with its parameters outside it), a reply sent through the
outbox, and the media the person sent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadflow.services.channels.replies import ReplyRefused
from leadflow.services.work import inbox
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import LeadViewer, LeadWorker, Now, OrgDep, StoreDep
from leadflow.web.errors import NotFound
from leadflow.web.params import LeadId, MediaId

INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
"""Files shown in the page (images); anything else is downloaded as an attachment, and every
file is served sandboxed, so that nothing a person sent runs as our page."""

router = APIRouter(
    prefix="/api/v1", tags=["whatsapp"], responses={**UNAUTHENTICATED, **NOT_FOUND, **UNREADABLE}
)

Line = Annotated[str, Field(max_length=4096)]


class TemplateOut(BaseModel):
    name: str
    language: str
    body: str = Field(description="the approved body with its variables {{1}}, {{2}}…")
    parameter_count: int
    suggested: list[str] = Field(description="what each parameter is prefilled with")


class ConversationOut(BaseModel):
    lead_id: int
    connector: str
    mode: str = Field(description="text (window open), template (closed) or none (no template)")
    last_inbound_at: datetime | None
    window_closes_at: datetime | None
    templates: list[TemplateOut]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Line | None = Field(default=None, description="free text (inside the 24-hour window)")
    template: Annotated[str, Field(max_length=512)] | None = Field(
        default=None, description="an approved template's name (outside the window)"
    )
    language: Annotated[str, Field(max_length=16)] | None = Field(
        default=None, description="the template's language code, when it has several"
    )
    parameters: list[Line] = Field(
        default_factory=list, max_length=100, description="one per variable of its body, in order"
    )

    @model_validator(mode="after")
    def text_or_template(self) -> ReplyIn:
        if (self.text is None) == (self.template is None):
            raise ValueError("give either text or template")
        return self


class ReplyOut(BaseModel):
    lead_id: int
    activity_id: int
    status: str
    text: str | None = Field(description="what the person reads (a template's rendered text)")


@router.get("/leads/{lead_id}/whatsapp", summary="The lead's WhatsApp conversation")
async def conversation(
    lead_id: LeadId, db: StoreDep, organisation: OrgDep, now: Now, who: LeadViewer
) -> ConversationOut:
    """How one may write now, and the connector's approved templates with their parameters."""
    found = await inbox.whatsapp_conversation(db, organisation, who, lead_id, now)
    if found is None:
        raise NotFound(f"lead {lead_id} has no WhatsApp conversation")
    return ConversationOut(
        lead_id=lead_id,
        connector=found.connector_key,
        mode=found.mode.value,
        last_inbound_at=found.last_inbound_at,
        window_closes_at=found.window_closes_at,
        templates=[
            TemplateOut(
                name=t.name,
                language=t.language,
                body=t.body,
                parameter_count=t.parameter_count,
                suggested=found.suggested(t),
            )
            for t in found.templates
        ],
    )


@router.post(
    "/leads/{lead_id}/whatsapp",
    status_code=201,
    summary="Reply on WhatsApp: free text, or an approved template with its parameters",
    responses={
        409: {"description": "not allowed now: `window_closed`, `no_template`, `no_whatsapp`"},
        422: {
            "description": "`template` unknown, `parameters` of the wrong number, "
            "`parameters.N` empty, `text` missing or too long"
        },
    },
)
async def reply(
    lead_id: LeadId, body: ReplyIn, db: StoreDep, organisation: OrgDep, now: Now, who: LeadWorker
) -> Any:
    """Queued for sending through the outbox; the message's status follows on the lead (accepted,
    sent, delivered, read, or failed with WhatsApp's reason, e.g. 132000 for a template whose
    parameters WhatsApp does not accept)."""
    try:
        recorded = await inbox.reply_on_whatsapp(
            db, organisation, who, lead_id, text=body.text, template=body.template,
            parameters=body.parameters, language=body.language, now=now,
        )  # fmt: skip
    except ReplyRefused as refused:
        return JSONResponse({"detail": {"reason": refused.why, "msg": str(refused)}}, 409)
    await db.commit()
    activity = recorded.activity
    return ReplyOut(
        lead_id=lead_id,
        activity_id=activity.id,
        status=str(activity.detail.get("status")),
        text=activity.detail.get("text"),
    )


@router.get(
    "/leads/{lead_id}/media/{media_id}",
    summary="A file the person sent on WhatsApp",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the bytes"}},
)
async def media(
    lead_id: LeadId, media_id: MediaId, db: StoreDep, organisation: OrgDep, who: LeadViewer
) -> Response:
    """The bytes as downloaded from WhatsApp (sha256 checked), for whoever may see the lead."""
    try:
        found = await inbox.message_media(db, organisation, who, lead_id, media_id)
    except inbox.UnknownMedia as unknown:
        raise NotFound(str(unknown)) from None
    inline = found.mime_type in INLINE
    name = found.filename or f"whatsapp-{media_id}"
    disposition = "inline" if inline else "attachment"
    return Response(
        found.content,
        media_type=found.mime_type if inline else "application/octet-stream",
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
