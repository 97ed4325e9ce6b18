"""Translations of the interface: gettext catalogs compiled from their .po files on first use.

The .po files in `leadflow/locale` are the source; they are compiled in memory when a process
first needs a language (a few milliseconds), so a fresh clone needs no build step. See
`leadflow/locale/README.md` for extracting new strings and updating the catalogs.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from babel import Locale

from leadflow.locale.catalogs import DEFAULT_LOCALE, LOCALES, translations

__all__ = ["DEFAULT_LOCALE", "LOCALES", "N_", "active", "negotiate", "translations"]


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header: its languages in the order of
    their q-values (q=0: not wanted), matched by Babel's `Locale.negotiate`; else English."""
    if not accept_language:
        return DEFAULT_LOCALE
    found = Locale.negotiate(_by_preference(accept_language), LOCALES)
    return str(found.language) if found else DEFAULT_LOCALE


def _by_preference(accept_language: str) -> list[str]:
    """ "en;q=0.5, tr-TR" → ["tr_TR", "en"]; equal weights keep the header's order."""
    weighted = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, parameters = part.strip().partition(";")
        weight = _weight(parameters)
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, index, tag.strip().replace("-", "_")))
    return [tag for _, _, tag in sorted(weighted)]


def _weight(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


_current: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "leadflow_translations", default=None
)
_current_locale: ContextVar[str] = ContextVar("leadflow_locale", default=DEFAULT_LOCALE)


@contextmanager
def active(locale: str) -> Iterator[gettext.NullTranslations]:
    """Make `locale` the language of the templates rendered inside the block."""
    chosen = translations(locale)
    token, locale_token = _current.set(chosen), _current_locale.set(locale)
    try:
        yield chosen
    finally:
        _current.reset(token)
        _current_locale.reset(locale_token)


def current_locale() -> str:
    """The language of the templates being rendered (`active`)."""
    return _current_locale.get()


def _now_active() -> gettext.NullTranslations:
    return _current.get() or translations(DEFAULT_LOCALE)


def current_gettext(message: str) -> str:
    return _now_active().gettext(message)


def current_ngettext(singular: str, plural: str, n: int) -> str:
    return _now_active().ngettext(singular, plural, n)
