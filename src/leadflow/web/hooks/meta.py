"""Meta Lead Ads webhook: `GET /hooks/meta/{connector}` answers the subscription handshake,
`POST` receives `leadgen` notifications signed with the app secret (`X-Hub-Signature-256`).

A notification is stored (one inbound event per leadgen_id) and committed before the 200: the
lead itself is fetched from the Graph API by the processing job, so Meta is answered in
milliseconds whether Graph is up or not. A wrong signature or verify token is a 403, logged
without the body; nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from leadflow.connectors.meta import webhook
from leadflow.services.channels.pipeline import inbound
from leadflow.services.channels.vendors.meta import APP_SECRET, VERIFY_TOKEN
from leadflow.web.deps import State, StoreDep
from leadflow.web.hooks.common import channel_of, refuse

KIND = "meta"
router = APIRouter(prefix="/meta")


class MetaReceipt(BaseModel):
    received: int
    """Leads stored now."""
    repeated: int
    """Leads delivered before (Meta delivers at least once), not stored again."""


@router.get(
    "/{connector}",
    response_class=PlainTextResponse,
    summary="Meta's subscription handshake (hub.mode, hub.verify_token, hub.challenge)",
    responses={
        403: {"description": "not subscribe, or not our verify token"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def handshake(connector: str, request: Request, db: StoreDep, state: State) -> str:
    channel = await channel_of(db, state, KIND, connector)
    answer = webhook.challenge_answer(request.query_params, channel.secrets.get(VERIFY_TOKEN, ""))
    if answer is None:
        raise refuse(KIND, connector, "the verify token or hub.mode is wrong")
    return answer


@router.post(
    "/{connector}",
    response_model=MetaReceipt,
    summary="Meta Lead Ads notifications (object=page, field=leadgen)",
    responses={
        400: {"description": "signed, but not a notification; names what is wrong"},
        403: {"description": "missing or wrong X-Hub-Signature-256"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def notifications(
    connector: str, request: Request, db: StoreDep, state: State
) -> JSONResponse:
    channel = await channel_of(db, state, KIND, connector)
    body = await request.body()
    header = request.headers.get(webhook.SIGNATURE_HEADER)
    if not webhook.signed(body, header, channel.secrets.get(APP_SECRET, "")):
        raise refuse(KIND, connector, f"missing or wrong {webhook.SIGNATURE_HEADER}")
    try:
        receipts = webhook.receipts(body)
    except webhook.MalformedNotification as malformed:
        raise HTTPException(400, str(malformed)) from None
    received = await inbound.receive(db, channel, receipts, state.clock())
    await db.commit()
    answer = MetaReceipt(received=len(received.stored), repeated=received.repeated)
    return JSONResponse(answer.model_dump())
