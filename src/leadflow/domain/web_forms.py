"""Website forms as admins configure them (pure): the key, the origins allowed to post, the
mapping of the page's field names to lead fields, the honeypot and the embed snippet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from html import escape
from typing import Any
from urllib.parse import urlsplit

from leadflow.domain.submission import LeadSubmission

HONEYPOT = "company_website"
"""A field hidden from people and left empty by them; a bot filling every input fills it."""

SET_BY_FORM = frozenset({"source", "created_at", "priority", "external_id", "custom"})
MAPPABLE = tuple(name for name in LeadSubmission.model_fields if name not in SET_BY_FORM)
"""Lead fields a page's field may fill; anything else goes to `custom.NAME`."""
CUSTOM = "custom."

DEFAULT_FIELDS = ("first_name", "last_name", "phone", "email", "message")
"""What a form without a mapping asks for: the page posts the lead fields' own names."""

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,64}$")
_CUSTOM_KEY = re.compile(r"^[a-z0-9_]{1,64}$")


class Problem(StrEnum):
    """Why a form's configuration is refused; the English sentence for API and CLI callers."""

    KEY = "use 2 to 64 lower-case letters, digits, - or _, starting with a letter or digit"
    KEY_TAKEN = "a form with this key exists already"
    NAME = "give the form a name (at most 200 characters)"
    ORIGIN = "not an origin: a scheme and a host, e.g. https://clinic.example"
    FIELD_NAME = "a page field's name: 1 to 64 letters, digits, _ . - [ ]"
    TARGET = "not a lead field, nor custom.NAME (lower-case letters, digits, _)"
    HONEYPOT = "is the honeypot's name"
    TWICE = "two page fields fill this lead field"


@dataclass(frozen=True)
class Refusal:
    field: str
    """The offending input, e.g. `allowed_origins` or `field_map.tel`."""
    problem: Problem
    value: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.problem.value}" + (f" ({self.value})" if self.value else "")


@dataclass(frozen=True)
class WebFormSpec:
    """A form's configuration as an admin writes it."""

    key: str
    name: str
    allowed_origins: tuple[str, ...] = ()
    field_map: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True


def origin_of(text: str) -> str | None:
    """`scheme://host[:port]` in lower case, or None when `text` is not such an origin (a path,
    a query or credentials are refused: an origin is what a browser sends in `Origin`)."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def check(spec: WebFormSpec) -> list[Refusal]:
    """Every problem of `spec`, by field (an empty list: it may be saved)."""
    refusals: list[Refusal] = []
    if not _KEY.match(spec.key):
        refusals.append(Refusal("key", Problem.KEY, spec.key))
    if not spec.name.strip() or len(spec.name) > 200:
        refusals.append(Refusal("name", Problem.NAME))
    refusals.extend(
        Refusal("allowed_origins", Problem.ORIGIN, origin)
        for origin in spec.allowed_origins
        if origin_of(origin) is None
    )
    return refusals + _mapping_refusals(spec.field_map)


def _mapping_refusals(field_map: Mapping[str, str]) -> list[Refusal]:
    refusals: list[Refusal] = []
    filled: set[str] = set()
    for name, target in field_map.items():
        where = f"field_map.{name}"
        if name == HONEYPOT:
            refusals.append(Refusal(where, Problem.HONEYPOT, name))
        elif not _FIELD_NAME.match(name):
            refusals.append(Refusal("field_map", Problem.FIELD_NAME, name))
        elif not _is_target(target):
            refusals.append(Refusal(where, Problem.TARGET, target))
        elif target in filled:
            refusals.append(Refusal(where, Problem.TWICE, target))
        filled.add(target)
    return refusals


def _is_target(target: str) -> bool:
    if target.startswith(CUSTOM):
        return bool(_CUSTOM_KEY.match(target.removeprefix(CUSTOM)))
    return target in MAPPABLE


def normalised(spec: WebFormSpec) -> WebFormSpec:
    """`spec` with its origins in their canonical form, once each (after `check` passed)."""
    origins = (origin_of(o) for o in spec.allowed_origins)
    return WebFormSpec(
        key=spec.key,
        name=spec.name.strip(),
        allowed_origins=tuple(dict.fromkeys(o for o in origins if o)),
        field_map=dict(spec.field_map),
        enabled=spec.enabled,
    )


def parse_mapping(lines: str) -> dict[str, str]:
    """`page_field = lead_field` per line (or comma) as typed in the screen or the CLI."""
    pairs = (part.partition("=") for part in re.split(r"[\n,]", lines) if part.strip())
    return {name.strip(): target.strip() for name, _, target in pairs}


def mapping_text(field_map: Mapping[str, str]) -> str:
    return "\n".join(f"{name} = {target}" for name, target in field_map.items())


def request_origin(origin: str | None, referer: str | None) -> str | None:
    """Where a post came from: its `Origin`, else the origin of its `Referer`."""
    if origin and origin != "null":
        return origin_of(origin)
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return origin_of(f"{parts.scheme}://{parts.netloc}")
    return None


def is_spam(data: Mapping[str, Any]) -> bool:
    value = data.get(HONEYPOT)
    return value not in (None, "")


def mapped(data: Mapping[str, Any], field_map: Mapping[str, str]) -> dict[str, Any]:
    """The page's fields renamed to lead fields (`custom.x` under `custom`), without the
    honeypot; fields the mapping does not name pass as they are."""
    lead: dict[str, Any] = {}
    custom: dict[str, Any] = dict(data["custom"]) if isinstance(data.get("custom"), dict) else {}
    for name, value in data.items():
        if name in (HONEYPOT, "custom"):
            continue
        target = field_map.get(name, name)
        if target.startswith(CUSTOM):
            custom[target.removeprefix(CUSTOM)] = value
        else:
            lead[target] = value
    return {**lead, "custom": custom} if custom else lead


@dataclass(frozen=True)
class SnippetField:
    name: str
    target: str


def snippet_fields(field_map: Mapping[str, str]) -> list[SnippetField]:
    """The snippet's inputs in the lead's own order (names first, custom fields last): the
    stored mapping keeps no order of its own."""
    if not field_map:
        return [SnippetField(name, name) for name in DEFAULT_FIELDS]
    fields = [SnippetField(name, target) for name, target in field_map.items()]
    return sorted(fields, key=lambda f: MAPPABLE.index(f.target) if f.target in MAPPABLE else 99)


ENGLISH_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "email": "E-mail",
    "message": "Message",
    "country": "Country",
    "treatment": "Treatment",
}
"""The snippet's labels for API and CLI callers; the admin screen gives its own language's."""

_INPUT_TYPES = {"email": "email", "phone": "tel"}
_AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "phone": "tel",
    "country": "country",
}


def embed_snippet(
    action: str, field_map: Mapping[str, str], labels: Mapping[str, str], send: str
) -> str:
    """A plain HTML form posting to `action`: one input per page field (labelled with
    `labels[lead field]`, else the page field's name), the hidden honeypot and a button."""
    lines = [f'<form action="{escape(action)}" method="post" accept-charset="utf-8">']
    for item in snippet_fields(field_map):
        label = escape(labels.get(item.target, item.name))
        name = escape(item.name)
        if item.target == "message":
            control = f'<textarea name="{name}" rows="4"></textarea>'
        else:
            kind = _INPUT_TYPES.get(item.target, "text")
            auto = _AUTOCOMPLETE.get(item.target)
            extra = f' autocomplete="{auto}"' if auto else ""
            control = f'<input type="{kind}" name="{name}"{extra}>'
        lines.append(f"  <p><label>{label}<br>{control}</label></p>")
    lines.append(
        '  <div style="position:absolute;left:-10000px" aria-hidden="true">'
        f'<input type="text" name="{HONEYPOT}" tabindex="-1" autocomplete="off" value=""></div>'
    )
    lines.append(f'  <p><button type="submit">{escape(send)}</button></p>')
    lines.append("</form>")
    return "\n".join(lines)
