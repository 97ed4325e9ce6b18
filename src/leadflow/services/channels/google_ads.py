"""Google Ads lead form leads: a stored delivery is the whole lead (no API to ask)."""

from __future__ import annotations

from leadflow.connectors import google_ads
from leadflow.connectors.inbound import Outcome
from leadflow.services.channels.processors import Channel, Event, Processing


async def process_lead(processing: Processing, channel: Channel, event: Event) -> Outcome:
    return google_ads.lead_of(event.payload, channel.settings.get("mappings") or {})
