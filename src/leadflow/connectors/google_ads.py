"""Google Ads lead form webhook (pure): the delivery Google POSTs for each lead of a lead form
asset, checked and read.

Google sends one lead per POST as JSON (the `WebhookLead` message of its webhook proto):
`lead_id` (unique across forms: the dedupe key), `user_column_data` [{column_id, column_name,
string_value}], `api_version`, `form_id`, `campaign_id`, `adgroup_id`, `creative_id`,
`asset_group_id`, `gcl_id`, `is_test`, `lead_submit_time` and `google_key`: the key the
advertiser entered in Google Ads, the only authentication. Source:
https://developers.google.com/google-ads/webhook/docs/implementation
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from leadflow.connectors import fields as answers
from leadflow.connectors.inbound import Invalid, LeadIn, Receipt

SOURCE = "google_ads"
KEY_SECRET = "google_key"
"""The connector's secret that Google's `google_key` must equal."""

STANDARD_COLUMNS: dict[str, str] = {
    "FULL_NAME": "full_name",
    "FIRST_NAME": "first_name",
    "LAST_NAME": "last_name",
    "EMAIL": "email",
    "WORK_EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "WORK_PHONE": "phone",
    "COUNTRY": "country",
    "CITY": "city",
    "POSTAL_CODE": "postal_code",
}
"""Google's column ids for contact details, as lead fields (others: mapped, or custom)."""

_IDS = ("campaign_id", "adgroup_id", "creative_id", "asset_group_id", "form_id")


class BadDelivery(ValueError):
    """A delivery that cannot be read at all (answered 400 with this message)."""


def parse(body: bytes) -> dict[str, Any]:
    """The delivery's JSON object; BadDelivery naming what is wrong."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadDelivery(f"body: not JSON ({error})") from None
    if not isinstance(data, dict):
        raise BadDelivery("body: a JSON object is expected")
    return data


def key_matches(data: dict[str, Any], expected: str | None) -> bool:
    """Whether the delivery's `google_key` is the connector's (constant time)."""
    given = data.get("google_key")
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def receipt(data: dict[str, Any]) -> Receipt:
    """The delivery as one stored item, without its key. A delivery without a `lead_id` is
    still kept (to be dead with its reason): its id is then a digest of its content."""
    payload = {k: v for k, v in data.items() if k != "google_key"}
    lead_id = data.get("lead_id")
    if isinstance(lead_id, str | int) and str(lead_id).strip():
        vendor_id = str(lead_id).strip()
    else:
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()
        vendor_id = f"sha256:{hashlib.sha256(canonical).hexdigest()}"
    return Receipt(vendor_id, "lead", payload, _submitted(payload.get("lead_submit_time")))


def lead_of(payload: dict[str, Any], mappings: dict[str, dict[str, str]]) -> LeadIn | Invalid:
    """The lead a stored delivery carries, its answers mapped by the connector's mapping for
    its form; Invalid naming the field when it cannot be read."""
    lead_id = payload.get("lead_id")
    if not isinstance(lead_id, str | int) or not str(lead_id).strip():
        return Invalid("lead_id: missing")
    columns = payload.get("user_column_data")
    if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
        return Invalid("user_column_data: a list of {column_id, string_value} is expected")
    ids = {name: _id(payload.get(name)) for name in _IDS}
    mapped = answers.apply(
        (
            (str(c.get("column_id") or c.get("column_name") or ""), c.get("column_name"),
             c.get("string_value"))
            for c in columns
        ),
        answers.mapping_for(mappings, ids["form_id"]),
        STANDARD_COLUMNS,
    )  # fmt: skip
    lead_fields: dict[str, Any] = {
        **mapped.fields,
        "gclid": _text(payload.get("gcl_id")),
        "campaign_id": ids["campaign_id"],
        "adset_id": ids["adgroup_id"],
        "ad_id": ids["creative_id"],
    }
    submitted = _submitted(payload.get("lead_submit_time"))
    if submitted is not None:
        lead_fields["created_at"] = submitted
    hints = {"channel": SOURCE}
    hints |= {"form_id": ids["form_id"]} if ids["form_id"] else {}
    hints |= {"asset_group_id": ids["asset_group_id"]} if ids["asset_group_id"] else {}
    return LeadIn(
        source=SOURCE,
        external_id=str(lead_id).strip(),
        fields={k: v for k, v in lead_fields.items() if v is not None},
        custom=mapped.custom,
        hints=hints,
        is_test=payload.get("is_test") is True,
    )


def sample(*, lead_id: str, google_key: str | None, is_test: bool = True) -> dict[str, Any]:
    """A delivery as Google's "send test data" makes one (the admin's test event)."""
    return {
        "lead_id": lead_id,
        "api_version": "1.0",
        "form_id": 40000000001,
        "campaign_id": 20000000001,
        "adgroup_id": 30000000001,
        "creative_id": 50000000001,
        "gcl_id": "TeSter-gclid-123",
        "google_key": google_key,
        "is_test": is_test,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Test Lead", "column_id": "FULL_NAME"},
            {"column_name": "User Email", "string_value": "test@example.com", "column_id": "EMAIL"},
            {"column_name": "User Phone", "string_value": "+4915123456789",
             "column_id": "PHONE_NUMBER"},
            {"column_name": "Country", "string_value": "DE", "column_id": "COUNTRY"},
        ],
    }  # fmt: skip


def _id(value: Any) -> str | None:
    """Google's int64 ids come as JSON numbers or strings."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _submitted(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
