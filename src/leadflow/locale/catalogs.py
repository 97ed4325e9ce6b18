"""The gettext catalogs, compiled from their .po files on first use (see README.md here).

The .po files are the source; each is compiled in memory when a process first needs its
language (a few milliseconds), so a fresh clone needs no build step. Pages, the API and
e-mails all read their words from here.
"""

from __future__ import annotations

import functools
import gettext
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "tr")
DEFAULT_LOCALE = "en"
DOMAIN = "messages"


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
