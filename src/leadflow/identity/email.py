"""E-mail addresses as one contact key: syntax-checked, lower-cased, never looked up online."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from leadflow.identity.errors import InvalidField


def normalise_email(raw: str) -> str:
    """The address lower-cased as a whole, local part included.

    RFC 5321 lets the local part be case-sensitive, but no mailbox provider a lead uses is, and
    dedupe must see `Ayse@x.com` and `ayse@x.com` as one person. Provider-specific rewriting
    (Gmail dots, `+tags`) is deliberately not applied: it would merge distinct people elsewhere.
    """
    text = raw.strip()
    if not text:
        raise InvalidField("email", "is empty")
    try:
        validated = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidField("email", str(error)) from error
    return validated.normalized.lower()
