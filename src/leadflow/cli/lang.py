"""The language a command answers in: `--lang`, else the organisation's `locale`, else the
terminal's (LC_ALL, LC_MESSAGES, LANG) when it is one we speak, else English."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated

import typer

from leadflow.locale.catalogs import DEFAULT_LOCALE, LOCALES

LANG_HELP = (
    "language of the answer: en or tr (default: the organisation's `locale` in the "
    "configuration, else your terminal's LC_ALL/LC_MESSAGES/LANG if it is English or "
    "Turkish, else en)"
)


def checked(lang: str | None) -> str | None:
    """`--lang` as given, refused (exit 2, naming the option) unless it is a language we speak."""
    if lang is None:
        return None
    chosen = lang.strip().lower()
    if chosen not in LOCALES:
        raise typer.BadParameter(
            f"{lang!r} is not a language Leadflow speaks; choose {' or '.join(LOCALES)}",
            param_hint="--lang",
        )
    return chosen


Lang = Annotated[
    str | None, typer.Option("--lang", metavar="en|tr", help=LANG_HELP, callback=checked)
]


def from_environment(environment: Mapping[str, str] | None = None) -> str | None:
    """The terminal's language if we speak it: "tr_TR.UTF-8" → "tr"; "C", "de_DE" → None.
    The first of LC_ALL, LC_MESSAGES, LANG that is set decides, as for gettext."""
    found = os.environ if environment is None else environment
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = found.get(name)
        if value:
            language = re.split(r"[_.@-]", value, maxsplit=1)[0].lower()
            return language if language in LOCALES else None
    return None


def chosen(lang: str | None, organisation: str | None) -> str:
    """`--lang` (already `checked`), else the organisation's, else the terminal's, else English."""
    return lang or organisation or from_environment() or DEFAULT_LOCALE
