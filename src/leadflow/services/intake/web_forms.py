"""Website forms: administrators create, edit and disable them (screen, CLI, API); a page's
post is checked against its form (enabled, origin, honeypot) and its refusals counted.

The caller commits (decision 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from leadflow.domain.web_forms import (
    Problem,
    Refusal,
    WebFormSpec,
    check,
    normalised,
)
from leadflow.identity import InvalidField, InvalidLead
from leadflow.storage.store import Store
from leadflow.storage.tables import WebForm


class FormRefused(InvalidLead):
    """A form configuration with problems; `refusals` name each field."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(InvalidField(r.field, str(r).partition(": ")[2]) for r in refusals)
        self.refusals = refusals


class UnknownForm(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no web form {key!r}")
        self.key = key


class Refused(StrEnum):
    """Why a post was refused, as its form counts it."""

    SPAM = "refused_spam"
    ORIGIN = "refused_origin"
    RATE = "refused_rate"


@dataclass(frozen=True)
class FormLine:
    """A form as administrators see it."""

    key: str
    name: str
    allowed_origins: tuple[str, ...]
    field_map: dict[str, str]
    enabled: bool
    refused_spam: int
    refused_origin: int
    refused_rate: int
    created_at: datetime
    updated_at: datetime | None
    defaults: dict[str, Any]
    """What the form's configuration sets on every lead (source, campaign…)."""

    @property
    def refused(self) -> int:
        return self.refused_spam + self.refused_origin + self.refused_rate

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "allowed_origins": list(self.allowed_origins),
            "field_map": self.field_map,
            "enabled": self.enabled,
            "refused": {
                "honeypot": self.refused_spam,
                "origin": self.refused_origin,
                "rate_limit": self.refused_rate,
            },
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


def _line(form: WebForm) -> FormLine:
    return FormLine(
        key=form.key,
        name=form.name,
        allowed_origins=tuple(form.allowed_origins),
        field_map={str(k): str(v) for k, v in form.field_map.items()},
        enabled=form.enabled,
        refused_spam=form.refused_spam,
        refused_origin=form.refused_origin,
        refused_rate=form.refused_rate,
        created_at=form.created_at,
        updated_at=form.updated_at,
        defaults=dict(form.defaults),
    )


async def list_forms(store: Store) -> list[FormLine]:
    return [_line(form) for form in await store.forms.all()]


async def get(store: Store, key: str) -> FormLine:
    form = await store.forms.get(key)
    if form is None:
        raise UnknownForm(key)
    await store.session.refresh(form)  # counters move under other transactions
    return _line(form)


async def create(store: Store, spec: WebFormSpec, *, actor: str, now: datetime) -> FormLine:
    """A new form (FormRefused naming each bad field, the key too when it is taken)."""
    refusals = check(spec)
    if not refusals and await store.forms.get(spec.key) is not None:
        refusals.append(Refusal("key", Problem.KEY_TAKEN, spec.key))
    if refusals:
        raise FormRefused(refusals)
    spec = normalised(spec)
    form = WebForm(
        key=spec.key,
        name=spec.name,
        allowed_origins=list(spec.allowed_origins),
        defaults={},
        field_map=dict(spec.field_map),
        enabled=spec.enabled,
        created_at=now,
        refused_spam=0,
        refused_origin=0,
        refused_rate=0,
    )
    await store.forms.add(form)
    await _audit(store, actor, "web_form.create", spec)
    return _line(form)


async def update(store: Store, spec: WebFormSpec, *, actor: str, now: datetime) -> FormLine:
    """Replace the form's name, origins, mapping and whether it takes posts."""
    form = await store.forms.get(spec.key)
    if form is None:
        raise UnknownForm(spec.key)
    if refusals := check(spec):
        raise FormRefused(refusals)
    spec = normalised(spec)
    form.name = spec.name
    form.allowed_origins = list(spec.allowed_origins)
    form.field_map = dict(spec.field_map)
    form.enabled = spec.enabled
    form.updated_at = now
    await store.session.flush()
    await _audit(store, actor, "web_form.update", spec)
    return _line(form)


async def set_enabled(
    store: Store, key: str, enabled: bool, *, actor: str, now: datetime
) -> FormLine:
    current = await get(store, key)
    spec = WebFormSpec(
        key=current.key,
        name=current.name,
        allowed_origins=current.allowed_origins,
        field_map=current.field_map,
        enabled=enabled,
    )
    return await update(store, spec, actor=actor, now=now)


async def _audit(store: Store, actor: str, action: str, spec: WebFormSpec) -> None:
    await store.audit.record(
        actor=actor,
        action=action,
        entity="web_form",
        entity_id=spec.key,
        detail={
            "name": spec.name,
            "allowed_origins": list(spec.allowed_origins),
            "field_map": dict(spec.field_map),
            "enabled": spec.enabled,
        },
    )


async def accepting(store: Store, key: str) -> FormLine | None:
    """The form a page posts to, if it exists and is enabled."""
    form = await store.forms.get(key)
    return _line(form) if form is not None and form.enabled else None


async def count_refusal(store: Store, key: str, why: Refused) -> None:
    await store.forms.count_refusal(key, why.value)
