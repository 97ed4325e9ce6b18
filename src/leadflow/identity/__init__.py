"""Contact identity, pure: phone and e-mail normalisation, language inference, dedupe keys."""

from leadflow.identity.attribution import ATTRIBUTION_KEYS, attribution_from_url, merge_attribution
from leadflow.identity.country import main_language, normalise_country
from leadflow.identity.email import normalise_email
from leadflow.identity.errors import FieldErrors, InvalidField, InvalidLead
from leadflow.identity.keys import ContactKey, ContactKind, contact_keys
from leadflow.identity.language import LanguageGuess, LanguageSource, infer_language
from leadflow.identity.language_codes import normalise_language
from leadflow.identity.phone import PhoneNumber, WhatsAppId, normalise_phone, normalise_whatsapp_id

__all__ = [
    "ATTRIBUTION_KEYS",
    "ContactKey",
    "ContactKind",
    "FieldErrors",
    "InvalidField",
    "InvalidLead",
    "LanguageGuess",
    "LanguageSource",
    "PhoneNumber",
    "WhatsAppId",
    "attribution_from_url",
    "contact_keys",
    "infer_language",
    "main_language",
    "merge_attribution",
    "normalise_country",
    "normalise_email",
    "normalise_language",
    "normalise_phone",
    "normalise_whatsapp_id",
]
