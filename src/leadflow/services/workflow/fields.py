"""Setting a lead's workflow field: a configured field (`Configuration.fields`) in the lead's
custom values, typed by its definition; a built-in one (`BUILTIN_FIELDS`) in its column,
normalised as intake normalises it. A bad value is an `InvalidField` named `fields.<name>`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from leadflow.domain.configuration import BUILTIN_FIELDS, Configuration, FieldDefinition, FieldType
from leadflow.domain.storable import text_problem
from leadflow.identity import (
    InvalidField,
    InvalidLead,
    normalise_country,
    normalise_email,
    normalise_language,
    normalise_phone,
)
from leadflow.storage.tables import Lead
from leadflow.workflow.gaps import LEAD_COLUMNS

TEXT_LIMIT = 1000
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LARGEST_AMOUNT = Decimal("1e12")


class BadValue(ValueError):
    """Why a value does not fit its field (the caller names the field)."""


def set_fields(
    configuration: Configuration, lead: Lead, values: Mapping[str, Any], *, prefix: str = "fields"
) -> None:
    """Set every field of `values` on the lead, or none: `InvalidLead` names each bad one."""
    converted: dict[str, Any] = {}
    problems: list[InvalidField] = []
    for name, value in values.items():
        try:
            converted[name] = _converted(configuration, lead, name, value)
        except (BadValue, InvalidField) as error:
            message = error.message if isinstance(error, InvalidField) else str(error)
            problems.append(InvalidField(f"{prefix}.{name}", message))
    if problems:
        raise InvalidLead(problems)
    custom = dict(lead.custom or {})
    for name, value in converted.items():
        if name in LEAD_COLUMNS:
            setattr(lead, LEAD_COLUMNS[name], value)
        elif value is None:
            custom.pop(name, None)
        else:
            custom[name] = value
    if custom != (lead.custom or {}):
        lead.custom = custom  # a new dict, so the change is seen and written


def _converted(configuration: Configuration, lead: Lead, name: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    definition = configuration.field(name)
    if definition is not None:
        return _typed(definition, value)
    if name in BUILTIN_FIELDS:
        return _BUILTIN[name](value, lead)
    raise BadValue("is not a field of this organisation")


def _typed(definition: FieldDefinition, value: Any) -> Any:
    kind = definition.type
    if kind is FieldType.TEXT:
        return _text(value, TEXT_LIMIT)
    if kind in (FieldType.NUMBER, FieldType.MONEY):
        number = _number(value)
        if kind is FieldType.MONEY and number < 0:
            raise BadValue("must not be negative")
        return number
    if kind is FieldType.DATE:
        return _date(value)
    if kind is FieldType.MONTH:
        text = _text(value, 7)
        if not MONTH.match(text):
            raise BadValue("must be a month as YYYY-MM")
        return text
    text = _text(value, TEXT_LIMIT)
    if text not in definition.choices:
        raise BadValue(f"must be one of: {', '.join(definition.choices)}")
    return text


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise BadValue("must be text")
    text = value.strip()
    if len(text) > limit:
        raise BadValue(f"must be at most {limit} characters")
    if problem := text_problem(text):
        raise BadValue(problem)
    return text


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise BadValue("must be a number")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if "." in value or "e" in value.lower() else int(value)
        except ValueError:
            raise BadValue("must be a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise BadValue("must be a finite number")
    if abs(value) >= LARGEST_AMOUNT:
        raise BadValue("is too large")
    return value


def _date(value: Any) -> str:
    text = _text(value, 10)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadValue("must be a date as YYYY-MM-DD") from None


def _amount(value: Any, _: Lead) -> Decimal:
    number = _number(value)
    if number < 0:
        raise BadValue("must not be negative")
    try:
        return Decimal(str(number)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadValue("must be a number") from None


def _currency(value: Any, _: Lead) -> str:
    text = _text(value, 3).upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise BadValue("must be a three-letter currency code (EUR, USD, TRY…)")
    return text


def _phone(value: Any, lead: Lead) -> str:
    return normalise_phone(_text(value, 64), lead.country).e164


_BUILTIN: dict[str, Callable[[Any, Lead], Any]] = {
    "first_name": lambda value, _: _text(value, 200),
    "last_name": lambda value, _: _text(value, 200),
    "phone": _phone,
    "email": lambda value, _: normalise_email(_text(value, 320)),
    "country": lambda value, _: normalise_country(_text(value, 64)),
    "language": lambda value, _: normalise_language(_text(value, 35)),
    "treatment": lambda value, _: _text(value, 64),
    "budget": _amount,
    "currency": _currency,
}
