"""Google Ads lead form webhook: POST /hooks/google-ads/{connector}.

Google POSTs each lead as JSON with the `google_key` the advertiser configured: a wrong or
missing key is refused (403) and nothing is stored. A good delivery is stored as it came
(without its key) and committed before the 200; a repeated `lead_id` is stored once."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from leadflow.connectors import google_ads
from leadflow.services.channels.pipeline import inbound
from leadflow.web.deps import State, StoreDep
from leadflow.web.hooks.common import channel_of, refuse

router = APIRouter()
KIND = "google_ads"


class Acknowledged(BaseModel):
    received: bool = True


@router.post(
    "/google-ads/{connector}",
    response_model=Acknowledged,
    summary="Google Ads lead form webhook",
    responses={
        400: {"description": "the body is not a JSON object"},
        403: {"description": "google_key wrong or missing; nothing stored"},
        404: {"description": "unknown or disabled connector"},
    },
)
async def google_ads_lead(
    connector: str, request: Request, db: StoreDep, state: State
) -> Acknowledged:
    channel = await channel_of(db, state, KIND, connector)
    try:
        data = google_ads.parse(await request.body())
    except google_ads.BadDelivery as bad:
        raise HTTPException(400, str(bad)) from None
    if not google_ads.key_matches(data, channel.secrets.get(google_ads.KEY_SECRET)):
        why = "google_key missing" if not data.get("google_key") else "google_key wrong"
        raise refuse(KIND, connector, why)
    await inbound.receive(db, channel, [google_ads.receipt(data)], state.clock())
    await db.commit()
    return Acknowledged()
