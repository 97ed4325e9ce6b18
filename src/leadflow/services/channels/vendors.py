"""The registry: which processor reads which vendor's events, and what handles each item.

Each vendor's helper adds its lines here (and nowhere else in the core):
`REGISTRY.processor("meta", "lead", meta.process_lead)`,
`REGISTRY.handler(MessageIn, conversations.deliver_message)`, …
"""

from __future__ import annotations

from leadflow.connectors.inbound import CallIn, LeadIn
from leadflow.services.channels import google_ads, leads, phone
from leadflow.services.channels.processors import Registry

REGISTRY = Registry()
REGISTRY.handler(LeadIn, leads.deliver_lead)
REGISTRY.processor("google_ads", "lead", google_ads.process_lead)
REGISTRY.sample("google_ads", google_ads.sample)
REGISTRY.processor("twilio", "call", phone.process_call)
REGISTRY.handler(CallIn, phone.deliver_call)
REGISTRY.sample("twilio", phone.sample)
