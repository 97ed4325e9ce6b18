"""The registry: which processor reads which vendor's events, and what handles each item.

Each vendor's helper adds its lines here (and nowhere else in the core):
`REGISTRY.processor("meta", "lead", meta.process_lead)`,
`REGISTRY.handler(MessageIn, conversations.deliver_message)`, …
"""

from __future__ import annotations

from leadflow.connectors.inbound import LeadIn
from leadflow.services.channels import leads
from leadflow.services.channels.processors import Registry

REGISTRY = Registry()
REGISTRY.handler(LeadIn, leads.deliver_lead)
