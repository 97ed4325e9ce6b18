"""WhatsApp Cloud API webhook: GET /hooks/whatsapp/{connector} answers Meta's subscription
handshake; POST receives `whatsapp_business_account` notifications signed with the app secret
(X-Hub-Signature-256 over the raw body; wrong or missing: 403, nothing stored). Messages and
statuses are stored once each before the 200 (a repeated delivery is a no-op)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse

from leadflow.connectors.meta.webhook import SIGNATURE_HEADER, challenge_answer, signed
from leadflow.connectors.whatsapp import webhook
from leadflow.services.channels.pipeline import inbound
from leadflow.web.deps import Now, State, StoreDep
from leadflow.web.hooks.common import channel_of, refuse

KIND = "whatsapp"
router = APIRouter(prefix="/whatsapp")


@router.get(
    "/{connector}",
    response_class=PlainTextResponse,
    summary="WhatsApp handshake (hub.mode, hub.verify_token, hub.challenge)",
    responses={
        403: {"description": "not subscribe, or not our verify token"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def handshake(connector: str, request: Request, db: StoreDep, state: State) -> Response:
    channel = await channel_of(db, state, KIND, connector)
    answer = challenge_answer(request.query_params, channel.secrets.get("verify_token", ""))
    if answer is None:
        raise refuse(KIND, connector, "hub.verify_token does not match")
    return PlainTextResponse(answer)


@router.post(
    "/{connector}",
    summary="WhatsApp messages and statuses",
    responses={
        400: {"description": "signed, but not a notification; names what is wrong"},
        403: {"description": "missing or wrong X-Hub-Signature-256"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def notification(
    connector: str, request: Request, db: StoreDep, state: State, now: Now
) -> dict[str, int]:
    channel = await channel_of(db, state, KIND, connector)
    body = await request.body()
    header = request.headers.get(SIGNATURE_HEADER)
    if not signed(body, header, channel.secrets.get("app_secret", "")):
        raise refuse(KIND, connector, f"{SIGNATURE_HEADER} is missing or wrong")
    try:
        receipts = webhook.receipts(body)
    except webhook.MalformedNotification as malformed:
        raise HTTPException(400, str(malformed)) from None
    received = await inbound.receive(db, channel, receipts, now)
    await db.commit()
    return {"stored": len(received.stored), "repeated": received.repeated}
