"""Translations of the interface: gettext catalogs compiled from their .po files on first use.

The .po files in `leadflow/locale` are the source; they are compiled in memory when a process
first needs a language (a few milliseconds), so a fresh clone needs no build step. See
`leadflow/locale/README.md` for extracting new strings and updating the catalogs.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from io import BytesIO

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "tr")
DEFAULT_LOCALE = "en"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale` (English, the source language, when unknown)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    folder = resources.files("leadflow.locale").joinpath(locale, "LC_MESSAGES")
    source = folder.joinpath(f"{DOMAIN}.po")
    if not source.is_file():
        return gettext.NullTranslations()
    with source.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LOCALE
    preferred = [
        part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")
    ]
    found = Locale.negotiate([p for p in preferred if p and p != "*"], LOCALES)
    return str(found.language) if found else DEFAULT_LOCALE


_current: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "leadflow_translations", default=None
)


@contextmanager
def active(locale: str) -> Iterator[gettext.NullTranslations]:
    """Make `locale` the language of the templates rendered inside the block."""
    chosen = translations(locale)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def _now_active() -> gettext.NullTranslations:
    return _current.get() or translations(DEFAULT_LOCALE)


def current_gettext(message: str) -> str:
    return _now_active().gettext(message)


def current_ngettext(singular: str, plural: str, n: int) -> str:
    return _now_active().ngettext(singular, plural, n)
