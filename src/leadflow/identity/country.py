"""Countries as ISO 3166 alpha-2, and the language a call center should assume for each."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Final

import phonenumbers
from babel import Locale
from babel.core import get_global

from leadflow.identity.errors import InvalidField
from leadflow.identity.language_codes import language_of_tag

_COUNTRIES_BY_LANGUAGE: Final[Mapping[str, str]] = {
    "de": "DE AT CH LI",
    "en": "GB US IE AU CA NZ ZA MT PH",
    "fr": "FR BE LU MC",
    "es": "ES MX AR CO CL PE VE EC UY",
    "pt": "PT BR",
    "ar": "SA AE KW QA BH OM EG IQ JO LB MA DZ TN LY SY YE SD PS",
    "ru": "RU KZ BY KG",
    "el": "GR CY",
    "ro": "RO MD",
    "sr": "RS ME",
    "sq": "AL XK",
    "fa": "IR AF",
    "nl": "NL", "it": "IT", "tr": "TR", "uk": "UA", "pl": "PL", "bg": "BG", "sv": "SE",
    "no": "NO", "da": "DK", "fi": "FI", "az": "AZ", "ka": "GE", "hy": "AM", "he": "IL",
    "hu": "HU", "cs": "CZ", "sk": "SK", "hr": "HR", "bs": "BA", "sl": "SI", "mk": "MK",
    "lt": "LT", "lv": "LV", "et": "EE", "uz": "UZ", "tk": "TM", "tg": "TJ", "hi": "IN",
    "ur": "PK", "zh": "CN", "ja": "JP", "ko": "KR",
}  # fmt: skip
_MAIN_LANGUAGE: Final[Mapping[str, str]] = {
    country: language
    for language, countries in _COUNTRIES_BY_LANGUAGE.items()
    for country in countries.split()
}
"""Overrides of CLDR's likely language where call centers plan otherwise: Kazakh and Belarusian
leads are served in Russian, Belgian and Luxembourgish ones in French, Filipino in English."""

_NAME_ALIASES: Final[Mapping[str, str]] = {
    "turkey": "TR", "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "usa": "US", "united states of america": "US", "america": "US",
    "uae": "AE", "emirates": "AE", "russian federation": "RU", "holland": "NL",
    "czech republic": "CZ", "iran islamic republic of": "IR", "korea": "KR", "kosova": "XK",
    "hong kong": "HK", "macau": "MO", "macao": "MO", "south korea": "KR",
    "north korea": "KP", "ivory coast": "CI", "vatican": "VA", "palestine": "PS",
}  # fmt: skip


def normalise_country(raw: str) -> str:
    """ISO 3166 alpha-2, upper case, from alpha-2 or alpha-3 in any case or an English name."""
    text = raw.strip()
    code = _known_codes().get(text.upper()) or _english_names().get(_name_key(text))
    if code is None:
        raise InvalidField("country", f"unknown country code {text!r}")
    return code


def main_language(country: str) -> str | None:
    """ISO 639-1 of the language a lead from `country` most likely speaks; None if unknown.

    A small explicit table covers the countries health tourism serves; other countries fall back
    to CLDR's likely-subtags data (`und_XX`), kept only when it names a two-letter language.
    """
    code = country.strip().upper()
    if code in _MAIN_LANGUAGE:
        return _MAIN_LANGUAGE[code]
    if code not in _regions():
        return None
    # CLDR omits `und_XX` where it would repeat the default (`und` -> English).
    subtags = get_global("likely_subtags")
    return language_of_tag(str(subtags.get(f"und_{code}", subtags["und"])))


@cache
def _regions() -> frozenset[str]:
    """The regions with a phone numbering plan: every place a lead can call from."""
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


@cache
def _known_codes() -> dict[str, str]:
    """Alpha-2 codes to themselves; alpha-3 and retired codes (UK, DD) to their alpha-2."""
    regions = _regions()
    codes = {code: code for code in regions}
    for alias, replacements in get_global("territory_aliases").items():
        if alias.isalpha() and len(replacements) == 1 and replacements[0] in regions:
            codes.setdefault(alias, replacements[0])
    return codes


@cache
def _english_names() -> dict[str, str]:
    regions = _regions()
    names = {_name_key(name): code for code, name in Locale("en").territories.items()}
    names = {name: code for name, code in names.items() if code in regions}
    return names | dict(_NAME_ALIASES)


def _name_key(name: str) -> str:
    """Case, accents, punctuation and "the" do not distinguish country names."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    words = letters.split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)
