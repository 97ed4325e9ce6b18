"""The words for stored codes (roles, tiers, sources, stages…), marked for translation."""

from __future__ import annotations

from leadflow.web.ui.shell.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "role": {
        "admin": N_("Administrator"),
        "manager": N_("Manager"),
        "team_lead": N_("Team lead"),
        "agent": N_("Agent"),
    },
    "tier": {
        "high": N_("High performer"),
        "developing": N_("Developing"),
        "low": N_("Low performer"),
        "new": N_("New"),
    },
    "agent_status": {
        "active": N_("Active"),
        "paused": N_("Paused"),
        "left": N_("Left"),
    },
    "agent_kind": {
        "human": N_("Person"),
        "bot": N_("Virtual consultant"),
    },
    "source": {
        "google_ads": N_("Google Ads"),
        "meta_lead_ads": N_("Meta lead ads"),
        "website": N_("Website"),
        "whatsapp": N_("WhatsApp"),
        "phone": N_("Phone"),
        "import": N_("Import"),
        "api": N_("API"),
        "other": N_("Other"),
    },
    "treatment": {
        "hair_transplant": N_("Hair transplant"),
        "dental": N_("Dental"),
        "aesthetic": N_("Aesthetic surgery"),
        "bariatric": N_("Bariatric surgery"),
        "eye": N_("Eye surgery"),
        "oncology": N_("Oncology"),
        "orthopedics": N_("Orthopedics"),
    },
    "routing_status": {
        "new": N_("New"),
        "assigned": N_("Assigned"),
        "queued": N_("Queued"),
        "unassigned": N_("No agent"),
        "unrouted": N_("Not routed"),
        "test": N_("Test lead"),
    },
    "connector_kind": {
        "google_ads": N_("Google Ads lead form"),
        "meta": N_("Meta lead ads"),
        "whatsapp": N_("WhatsApp"),
        "twilio": N_("Telephony (Twilio)"),
    },
    "inbound_status": {
        "received": N_("Received"),
        "processed": N_("Processed"),
        "retrying": N_("Retrying"),
        "dead": N_("Dead"),
        "ignored": N_("Ignored"),
    },
    "channel_state": {
        "ok": N_("Working"),
        "idle": N_("No events yet"),
        "failing": N_("Errors"),
        "late": N_("Backlog waiting"),
        "disabled": N_("Disabled"),
    },
    "stage": {
        "new": N_("New"),
        "contacted": N_("Contacted"),
        "qualified": N_("Qualified"),
        "offer_sent": N_("Offer sent"),
        "booked": N_("Booked"),
        "won": N_("Won"),
        "lost": N_("Lost"),
    },
    "lost_reason": {
        "price": N_("Price"),
        "medical_not_eligible": N_("Not medically eligible"),
        "chose_another_clinic": N_("Chose another clinic"),
        "unreachable": N_("Unreachable"),
        "duplicate": N_("Duplicate"),
        "no_reply": N_("No reply"),
        "other": N_("Other"),
    },
    "field": {
        "first_name": N_("First name"),
        "last_name": N_("Last name"),
        "phone": N_("Phone"),
        "email": N_("E-mail"),
        "country": N_("Country"),
        "language": N_("Language"),
        "treatment": N_("Treatment"),
        "budget": N_("Budget"),
        "currency": N_("Currency"),
    },
    "field_type": {
        "text": N_("Text"),
        "number": N_("Number"),
        "money": N_("Amount of money"),
        "date": N_("Date"),
        "month": N_("Month"),
        "choice": N_("Choice"),
    },
    "stage_type": {
        "open": N_("Open"),
        "won": N_("Won (closes the lead)"),
        "lost": N_("Lost (closes the lead, needs a reason)"),
    },
    "cap": {
        "day": N_("Per day"),
        "week": N_("Per week"),
        "month": N_("Per month"),
        "open": N_("Open at once"),
    },
}


def label_key(kind: str, value: str | None) -> str:
    """The untranslated label of `value`; unknown codes are shown as they are."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(value, value)
