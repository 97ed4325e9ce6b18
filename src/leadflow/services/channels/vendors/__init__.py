"""The registry: which processor reads which vendor's events, and what handles each item.

Each vendor's helper adds its lines here (and nowhere else in the core):
`REGISTRY.processor("meta", "lead", meta.process_lead)`,
`REGISTRY.handler(MessageIn, conversations.deliver_message)`, …
"""

from __future__ import annotations

from leadflow.connectors.inbound import CallIn, LeadIn, MessageIn, StatusIn
from leadflow.services.channels.pipeline import leads
from leadflow.services.channels.pipeline.processors import Registry
from leadflow.services.channels.vendors import google_ads, meta, phone, whatsapp

REGISTRY = Registry()
REGISTRY.handler(LeadIn, leads.deliver_lead)
REGISTRY.batch_handler(LeadIn, leads.deliver_leads)
REGISTRY.processor("google_ads", "lead", google_ads.process_lead)
REGISTRY.sample("google_ads", google_ads.sample)
REGISTRY.processor("meta", "lead", meta.process_lead)
REGISTRY.fetcher("meta", "lead", meta.fetch_leads)
REGISTRY.sample("meta", meta.sample)
REGISTRY.processor("whatsapp", "message", whatsapp.process_message)
REGISTRY.fetcher("whatsapp", "message", whatsapp.fetch_media)
REGISTRY.processor("whatsapp", "status", whatsapp.process_status)
REGISTRY.handler(MessageIn, whatsapp.deliver_message)
REGISTRY.handler(StatusIn, whatsapp.deliver_status)
REGISTRY.sample("whatsapp", whatsapp.sample)
REGISTRY.processor("twilio", "call", phone.process_call)
REGISTRY.handler(CallIn, phone.deliver_call)
REGISTRY.sample("twilio", phone.sample)
