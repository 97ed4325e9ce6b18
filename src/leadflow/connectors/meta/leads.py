"""A lead as the Graph API returns it, read into the one inbound shape (pure).

Graph gives a lead's answers as `field_data: [{name, values: [...]}]`: Meta's standard
questions under their own names (full_name, email, phone_number…) and the form's custom
questions under the keys the advertiser gave them. The connector's field mapping (per form,
then for every form) says which lead field or custom field a question fills; standard questions
need no mapping, and an unmapped custom question is kept as a custom field of its own name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from leadflow.connectors import fields as answers_to
from leadflow.connectors.inbound import LeadIn

SOURCE = "meta_lead_ads"

STANDARD = {
    "full_name": "full_name",
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "work_email": "email",
    "phone_number": "phone",
    "work_phone_number": "phone",
    "country": "country",
    "city": "city",
    "zip_code": "postal_code",
    "post_code": "postal_code",
}
"""Meta's standard questions, which fill lead fields without being mapped."""

YES = frozenset({"true", "yes", "1", "on", "y", "evet", "ja", "oui", "si", "sí"})
"""An answer mapped to `consent` that gives it (any other answer refuses it)."""


def answers(lead: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    """The lead's answers as (question, None, value); a checkbox question's several values
    are joined by ", "."""
    found: list[tuple[str, str | None, str]] = []
    for item in lead.get("field_data") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            values = item.get("values")
            joined = ", ".join(str(v) for v in values) if isinstance(values, list) else ""
            found.append((item["name"], None, joined))
    return found


def field_mapping(settings: Mapping[str, Any], form_id: str | None) -> dict[str, str]:
    """The question → field mapping for a form: the connector's for every form (`"*"`),
    overlaid by the form's own (`settings.mappings.{form_id}`)."""
    mappings = settings.get("mappings")
    return answers_to.mapping_for(mappings, form_id) if isinstance(mappings, dict) else {}


def lead_in(
    lead: Mapping[str, Any],
    *,
    notice: Mapping[str, Any],
    mapping: Mapping[str, str],
    hints: Mapping[str, str] | None = None,
) -> LeadIn:
    """The LeadIn of a Graph lead. `notice` is the webhook's change value (or {} for a lead
    pulled by backfill): its ids stand in for any the lead lacks."""
    mapped = answers_to.apply(answers(lead), mapping, STANDARD)
    fields, custom = dict(mapped.fields), dict(mapped.custom)
    if isinstance(fields.get("consent"), str):
        fields["consent"] = fields["consent"].strip().lower() in YES
    leadgen_id = str(lead.get("id") or notice.get("leadgen_id"))
    created = _graph_time(lead.get("created_time"))
    if created is not None:
        fields["created_at"] = created
    form_id = _text(lead.get("form_id")) or _text(notice.get("form_id"))
    ad_id = _text(lead.get("ad_id")) or _text(notice.get("ad_id") or notice.get("adgroup_id"))
    fields.update({
        name: value
        for name, value in (
            ("campaign_id", _text(lead.get("campaign_id"))),
            ("adset_id", _text(lead.get("adset_id"))),
            ("ad_id", ad_id),
        )
        if value is not None
    })  # fmt: skip
    custom.update(_attribution(lead, notice, leadgen_id, form_id))
    return LeadIn(
        source=SOURCE,
        external_id=leadgen_id,
        fields=fields,
        custom=custom,
        hints={**_hints(lead, form_id), **(hints or {})},
    )


def _attribution(
    lead: Mapping[str, Any], notice: Mapping[str, Any], leadgen_id: str, form_id: str | None
) -> dict[str, Any]:
    """What the conversion tracking needs besides the ids intake keeps as columns."""
    found = {
        "leadgen_id": leadgen_id,
        "form_id": form_id,
        "page_id": _text(notice.get("page_id")),
        "campaign_name": _text(lead.get("campaign_name")),
        "adset_name": _text(lead.get("adset_name")),
        "ad_name": _text(lead.get("ad_name")),
        "platform": _text(lead.get("platform")),
        "is_organic": lead.get("is_organic") if isinstance(lead.get("is_organic"), bool) else None,
    }
    return {f"meta_{name}": value for name, value in found.items() if value is not None}


def _hints(lead: Mapping[str, Any], form_id: str | None) -> dict[str, str]:
    """The campaign and form, for routing rules (the connector's own hints say the channel)."""
    hints = {}
    campaign = _text(lead.get("campaign_name")) or _text(lead.get("campaign_id"))
    if campaign:
        hints["campaign"] = campaign
    if form_id:
        hints["form"] = form_id
    return hints


def sample_lead(leadgen_id: str, created: datetime) -> dict[str, Any]:
    """A lead as Graph returns one, with Meta's standard questions answered (a test event)."""
    answered = {"full_name": "Test Lead", "email": "test@example.com",
                "phone_number": "+4915123456789", "country": "DE"}  # fmt: skip
    return {
        "id": leadgen_id,
        "created_time": created.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "form_id": "test-form",
        "is_organic": True,
        "platform": "fb",
        "field_data": [{"name": name, "values": [value]} for name, value in answered.items()],
    }


def _graph_time(value: Any) -> datetime | None:
    """Graph's times look like 2026-05-12T08:00:00+0000."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    return str(value) if isinstance(value, int | str) else None
