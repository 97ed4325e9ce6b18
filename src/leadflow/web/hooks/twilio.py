"""Twilio voice webhooks (decision 0012): `POST /hooks/twilio/{connector}/voice` when a call
arrives, answered with TwiML, and `POST /hooks/twilio/{connector}/status`, the status
callbacks. Both are signed with `X-Twilio-Signature` over the public URL Twilio called: the
scheme a trusted proxy forwarded (`LEADFLOW_TRUSTED_PROXIES`), or the connector's
`public_url` when a proxy rewrites the host. The event is stored before the answer."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, Response

from leadflow.connectors.inbound import Receipt
from leadflow.connectors.twilio import calls, signature, twiml
from leadflow.connectors.twilio.calls import CallEvent, NotACall
from leadflow.services.channels.pipeline import inbound
from leadflow.services.channels.pipeline.processors import Channel
from leadflow.web.deps import State, StoreDep
from leadflow.web.hooks.common import channel_of, refuse

router = APIRouter(
    prefix="/twilio/{connector}",
    responses={
        400: {"description": "not a call event: the parameter is named (CallSid, CallStatus…)"},
        403: {"description": "X-Twilio-Signature wrong or missing; nothing stored"},
        404: {"description": "unknown or disabled connector"},
    },
)

KIND = "twilio"
TWIML = "application/xml"
DEFAULT_GREETING = "Thank you for calling. We will call you back shortly."


def public_url(request: Request, channel: Channel) -> str:
    """The URL Twilio called, as it signed it."""
    configured = str(channel.settings.get("public_url") or "").rstrip("/")
    if not configured:
        return str(request.url)
    called = urlsplit(str(request.url))
    query = f"?{called.query}" if called.query else ""
    return f"{configured}{called.path}{query}"


async def _signed_event(
    request: Request, db: StoreDep, state: State, connector: str
) -> tuple[Channel, CallEvent, dict[str, str]]:
    channel = await channel_of(db, state, KIND, connector)
    form = await request.form()
    pairs = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    given = request.headers.get("x-twilio-signature")
    token = channel.secrets.get("auth_token", "")
    if not signature.is_valid(public_url(request, channel), pairs, given, token):
        raise refuse(KIND, connector, "X-Twilio-Signature does not match")
    params = dict(pairs)
    try:
        event = calls.read_event(params, now=state.clock())
    except NotACall as unreadable:
        raise HTTPException(400, str(unreadable)) from None
    return channel, event, params


async def _store(
    db: StoreDep, state: State, channel: Channel, event: CallEvent, params: dict[str, str]
) -> None:
    receipt = Receipt(vendor_id=event.vendor_id, kind="call", payload=params, occurred_at=event.at)
    await inbound.receive(db, channel, [receipt], state.clock())
    await db.commit()


@router.post(
    "/voice",
    summary="Twilio's voice webhook: a call arrives (answered with TwiML)",
    response_class=Response,
    responses={
        200: {"content": {TWIML: {}}, "description": "TwiML: dial the desk or say"},
        403: {"description": "missing or wrong X-Twilio-Signature"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def voice(connector: str, request: Request, db: StoreDep, state: State) -> Response:
    channel, event, params = await _signed_event(request, db, state, connector)
    await _store(db, state, channel, event, params)
    forward_to = str(channel.settings.get("forward_to") or "")
    if forward_to:
        status_url = public_url(request, channel).rsplit("/voice", 1)[0] + "/status"
        answer = twiml.forward(forward_to, status_url=status_url)
    else:
        greeting = str(channel.settings.get("greeting") or DEFAULT_GREETING)
        answer = twiml.say(greeting, language=channel.settings.get("greeting_language"))
    return Response(answer, media_type=TWIML)


@router.post(
    "/status",
    status_code=204,
    response_class=Response,
    summary="Twilio's status callback: initiated, ringing, answered, completed",
    responses={
        403: {"description": "missing or wrong X-Twilio-Signature"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def status(connector: str, request: Request, db: StoreDep, state: State) -> Response:
    channel, event, params = await _signed_event(request, db, state, connector)
    await _store(db, state, channel, event, params)
    return Response(status_code=204)
