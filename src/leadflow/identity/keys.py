"""Dedupe keys: the values under which one person is found again, whatever channel they use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from leadflow.identity.phone import normalise_whatsapp_id

ContactKind = Literal["phone", "email", "whatsapp"]


@dataclass(frozen=True)
class ContactKey:
    """One row of the unique index `contact_identities(kind, value)`."""

    kind: ContactKind
    value: str


def contact_keys(
    phone_e164: str | None, email: str | None, whatsapp_id: str | None
) -> list[ContactKey]:
    """Every key of one contact, without repeats, in the order phone, e-mail, WhatsApp.

    Takes values already normalised (`normalise_phone(...).e164`, `normalise_email`, a wa_id).
    A wa_id that is a valid phone number also gives a "phone" key with its E.164, so a WhatsApp
    conversation and a web form left with the same number join one contact; the "whatsapp" key
    is kept too, so a wa_id that is no valid number still finds its contact again. A wa_id that
    is not digits raises InvalidField("whatsapp_id").
    """
    keys: list[ContactKey] = []
    if phone_e164:
        keys.append(ContactKey("phone", phone_e164))
    if email:
        keys.append(ContactKey("email", email))
    if whatsapp_id:
        whatsapp = normalise_whatsapp_id(whatsapp_id)
        if whatsapp.e164 is not None:
            keys.append(ContactKey("phone", whatsapp.e164))
        keys.append(ContactKey("whatsapp", whatsapp.wa_id))
    return list(dict.fromkeys(keys))
