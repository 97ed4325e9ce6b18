"""Phone numbers and WhatsApp ids in E.164, the form every other part of Leadflow compares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from leadflow.identity.errors import InvalidField

_NON_GEOGRAPHIC = "001"
_SEPARATORS = re.compile(r"[\s\-().]")
_BSUID = re.compile(r"[A-Z]{2}(?:\.ENT)?\.[A-Za-z0-9]{1,128}")
"""A business-scoped user id: country code, a dot, up to 128 letters and digits ("BR.15025…");
a parent BSUID has ".ENT" after the country."""


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    region: str | None
    """ISO 3166 alpha-2 of the number itself; None for non-geographic numbers (+800, +882…)."""
    parsed: phonenumbers.PhoneNumber = field(repr=False, compare=False)

    @property
    def national_format(self) -> str:
        """Formatted when asked: formatting both forms for every lead was 2% of intake's CPU,
        and intake reads neither."""
        return phonenumbers.format_number(self.parsed, PhoneNumberFormat.NATIONAL)

    @property
    def international_format(self) -> str:
        return phonenumbers.format_number(self.parsed, PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True)
class WhatsAppId:
    wa_id: str
    """Digits only, country code first, no plus: what the WhatsApp Cloud API sends; or, for a
    person who shares no phone number, their business-scoped user id (BSUID)."""
    e164: str | None
    """The same number in E.164 when it is a valid phone number, else None."""


def normalise_phone(raw: str, region: str | None) -> PhoneNumber:
    """A valid number in E.164, reading a national number with `region` (the lead's country).

    International numbers may start with "+" or "00"; a region's own international prefix
    (011 in the US) also works when `region` is that region.
    """
    text = raw.strip()
    if not text:
        raise InvalidField("phone", "is empty")
    region = region.upper() if region else None
    for reading in _readings(text):
        number = _parse(reading, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return _phone_number(number)
    raise InvalidField("phone", _why_invalid(text, region))


def normalise_whatsapp_id(raw: str) -> WhatsAppId:
    """A wa_id as digits, with its E.164 form when it is a valid number; a business-scoped user
    id (since 2026, "CC.xxxx": WhatsApp users with a username may share no phone number) as it
    is, with no E.164.

    WhatsApp keeps some numbers in an older national plan than phonenumbers validates: Mexican
    mobiles with the dropped "1" after +52, Brazilian mobiles without the ninth digit. Those are
    brought to the current plan so the wa_id and a form's phone number give the same E.164.
    """
    if _BSUID.fullmatch(raw.strip()):
        return WhatsAppId(wa_id=raw.strip(), e164=None)
    digits = _SEPARATORS.sub("", raw.strip()).removeprefix("+")
    if not digits.isdigit() or not digits.isascii():
        raise InvalidField(
            "whatsapp_id", f"not a WhatsApp id (digits or a business-scoped id expected): {raw!r}"
        )
    return WhatsAppId(wa_id=digits, e164=_e164_of_wa_id(digits))


def _readings(text: str) -> Iterator[str]:
    yield text
    if text.startswith("00"):
        yield "+" + text.removeprefix("00")


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _phone_number(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    region = phonenumbers.region_code_for_number(number)
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=None if region in (None, _NON_GEOGRAPHIC) else region,
        parsed=number,
    )


def _why_invalid(text: str, region: str | None) -> str:
    readings = list(_readings(text))
    for reading in readings:
        number = _parse(reading, region)
        if number is not None:
            return f"not a valid phone number for {_region_name(number.country_code or 0)}"
    try:
        phonenumbers.parse(readings[-1], region)
    except NumberParseException as error:
        unknown_code = error.error_type == NumberParseException.INVALID_COUNTRY_CODE
        if unknown_code and region is None and not readings[-1].startswith("+"):
            return "no country code, and no country to read a national number with"
        return _PARSE_FAILURES.get(error.error_type, "not a phone number")
    return "not a phone number"


def _region_name(country_code: int) -> str:
    region = phonenumbers.region_code_for_country_code(country_code)
    return region if region.isalpha() else f"+{country_code}"


_PARSE_FAILURES = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short for a phone number",
    NumberParseException.TOO_SHORT_NSN: "too short for a phone number",
    NumberParseException.TOO_LONG: "too long for a phone number",
}


def _e164_of_wa_id(digits: str) -> str | None:
    for candidate in (digits, _current_plan(digits)):
        number = _parse("+" + candidate, None)
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return None


def _current_plan(digits: str) -> str:
    if digits.startswith("521") and len(digits) == 13:
        return "52" + digits[3:]
    if digits.startswith("55") and len(digits) == 12 and digits[4] in "6789":
        return digits[:4] + "9" + digits[4:]
    return digits
