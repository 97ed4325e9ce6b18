"""What a text typed into a lead search means: words of a name, the start of an e-mail address,
and the digits a phone number ends with.

Phones are stored in E.164 ("+4915123456789"). A number typed in full international form is
normalised the way intake normalises it (`normalise_phone`); one typed in a national form
("0151 234 56789", "(0532) 123 45 67") names no country, so it is matched by the digits its
E.164 ends with: its national significant number, the trunk prefix ("0") dropped. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadflow.identity.errors import InvalidField
from leadflow.identity.phone import normalise_phone

MIN_PHONE_DIGITS = 6
"""Fewer digits than this are not searched as a phone: they would match most numbers."""
MAX_WORDS = 4
_PHONE_TEXT = re.compile(r"\+?[\d\s\-().\/]+")


@dataclass(frozen=True)
class SearchTerms:
    """Each name word must begin the first or the last name; or the text begins the e-mail
    address; or the phone number ends with `phone_tail` (digits)."""

    words: tuple[str, ...] = ()
    email_prefix: str | None = None
    phone_tail: str | None = None

    @property
    def empty(self) -> bool:
        return not self.words and self.email_prefix is None and self.phone_tail is None


def search_terms(text: str) -> SearchTerms:
    """The terms of `text` (lower-cased; blank: no terms)."""
    cleaned = " ".join(text.split()).lower()
    if not cleaned:
        return SearchTerms()
    tail = phone_tail(cleaned)
    if tail is not None:
        return SearchTerms(phone_tail=tail)
    words = tuple(cleaned.split(" ")[:MAX_WORDS])
    email = cleaned if " " not in cleaned else None
    return SearchTerms(words=() if "@" in cleaned else words, email_prefix=email)


def phone_tail(text: str) -> str | None:
    """The digits a stored E.164 number ends with, for a phone typed in any format; None
    when `text` is not a phone number."""
    if not _PHONE_TEXT.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    if text.startswith(("+", "00")):
        try:
            return normalise_phone(text, None).e164.removeprefix("+")
        except InvalidField:
            return digits.removeprefix("00")
    return digits.lstrip("0") or None
