"""Google Ads lead form leads: a stored delivery is the whole lead (no API to ask)."""

from __future__ import annotations

from datetime import datetime

from leadflow.connectors import google_ads
from leadflow.connectors.inbound import Outcome, Receipt
from leadflow.services.channels.pipeline.processors import Channel, Event, Processing


async def process_lead(processing: Processing, channel: Channel, event: Event) -> Outcome:
    return google_ads.lead_of(event.payload, channel.settings.get("mappings") or {})


def sample(channel: Channel, now: datetime) -> Receipt:
    """A lead like the one Google's "send test data" button sends, with an id of its own."""
    data = google_ads.sample(lead_id=f"test-{now:%Y%m%dT%H%M%S%f}", google_key=None, is_test=True)
    data["lead_submit_time"] = now.isoformat()
    return google_ads.receipt(data)
