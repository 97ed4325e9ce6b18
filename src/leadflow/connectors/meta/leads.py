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

from leadflow.connectors.inbound import LeadIn

SOURCE = "meta_lead_ads"

STANDARD = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "work_email": "email",
    "phone_number": "phone",
    "work_phone_number": "phone",
    "country": "country",
}
"""Meta's standard questions that fill a lead field without being mapped (full_name is split)."""

LEAD_FIELDS = frozenset({
    "first_name", "last_name", "phone", "email", "whatsapp_id", "country", "language", "locale",
    "message", "treatment", "budget", "currency",
})  # fmt: skip
"""What a question may be mapped to, besides `custom.<key>` and `ignore`."""

CUSTOM_PREFIX = "custom."
IGNORE = "ignore"
MAX_CUSTOM_KEY = 64


def answers(lead: Mapping[str, Any]) -> dict[str, list[str]]:
    """The lead's answers by question name (each a list: checkbox questions have several)."""
    found: dict[str, list[str]] = {}
    for item in lead.get("field_data") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            values = item.get("values")
            found[item["name"]] = [str(v) for v in values] if isinstance(values, list) else []
    return found


def field_mapping(settings: Mapping[str, Any], form_id: str | None) -> dict[str, str]:
    """The question → target mapping for a form: the connector's own for every form, overlaid
    by the form's (`settings.fields`, `settings.forms.{form_id}.fields`)."""
    mapping: dict[str, str] = {}
    everywhere = settings.get("fields")
    if isinstance(everywhere, dict):
        mapping.update({str(k): str(v) for k, v in everywhere.items()})
    forms = settings.get("forms")
    form = forms.get(form_id) if isinstance(forms, dict) and form_id else None
    if isinstance(form, dict) and isinstance(form.get("fields"), dict):
        mapping.update({str(k): str(v) for k, v in form["fields"].items()})
    return mapping


def lead_in(
    lead: Mapping[str, Any],
    *,
    notice: Mapping[str, Any],
    mapping: Mapping[str, str],
    hints: Mapping[str, str] | None = None,
) -> LeadIn:
    """The LeadIn of a Graph lead. `notice` is the webhook's change value (or {} for a lead
    pulled by backfill): its ids stand in for any the lead lacks."""
    fields: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for question, values in answers(lead).items():
        _place(question, values, mapping, fields, custom)
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


def _place(
    question: str,
    values: list[str],
    mapping: Mapping[str, str],
    fields: dict[str, Any],
    custom: dict[str, Any],
) -> None:
    if not values:
        return
    target = mapping.get(question) or STANDARD.get(question)
    if question == "full_name" and target is None:
        first, last = split_name(values[0])
        fields.setdefault("first_name", first)
        if last:
            fields.setdefault("last_name", last)
        return
    if target == IGNORE:
        return
    if target in LEAD_FIELDS:
        fields.setdefault(target, ", ".join(values))
        return
    key = target[len(CUSTOM_PREFIX) :] if target and target.startswith(CUSTOM_PREFIX) else question
    custom[key[:MAX_CUSTOM_KEY]] = values[0] if len(values) == 1 else values


def split_name(full_name: str) -> tuple[str, str | None]:
    """First name(s) and the family name: the last word is the family name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), None
    return " ".join(words[:-1]), words[-1]


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
    hints = {"channel": SOURCE}
    campaign = _text(lead.get("campaign_name")) or _text(lead.get("campaign_id"))
    if campaign:
        hints["campaign"] = campaign
    if form_id:
        hints["form"] = form_id
    return hints


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
