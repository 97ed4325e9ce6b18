"""ISO 639-1 language codes, read from whatever tag a form, a browser or an API sends."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Final

from babel import Locale

from leadflow.identity.errors import InvalidField

_SAME_LANGUAGE: Final[Mapping[str, str]] = {
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "nb": "no",
    "nn": "no",
}
"""Codes read as another: retired ones old Java and Android clients still send, and Bokmål and
Nynorsk as Norwegian, the language agents are staffed for (browsers send "nb", people "no")."""

_SUBTAG_SEPARATORS = re.compile(r"[-_.@]")


def normalise_language(raw: str) -> str:
    """ISO 639-1 in lower case; a full tag such as "pt-BR" gives its language part.

    Also the form for an organisation's served languages, so they compare with the inferred ones.
    """
    language = language_of_tag(raw)
    if language is None:
        raise InvalidField("language", f"unknown language code {raw.strip()!r}")
    return language


def language_of_tag(tag: str) -> str | None:
    """The ISO 639-1 language of a tag ("de_AT", "pt-BR", "nb_Latn_SJ"); None if it has none."""
    primary = _SUBTAG_SEPARATORS.split(tag.strip(), maxsplit=1)[0].lower()
    primary = _SAME_LANGUAGE.get(primary, primary)
    return primary if primary in _iso_639_1_codes() else None


@cache
def _iso_639_1_codes() -> frozenset[str]:
    names = Locale("en").languages
    return frozenset(code for code in names if isinstance(code, str) and len(code) == 2)
