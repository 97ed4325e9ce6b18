"""The catalogs match the code, Turkish is complete, and languages are chosen as promised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from leadflow.web.ui.shell import i18n

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "src" / "leadflow" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def code_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(ROOT, method_map, options_map)
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


def catalog(locale: str) -> dict[str, str]:
    with (LOCALE / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        parsed = read_po(po, locale=locale)
    return {m.id: m.string for m in parsed if m.id and isinstance(m.id, str) and not m.fuzzy}


def test_every_string_of_the_code_is_in_the_catalogs() -> None:
    missing = code_messages() - set(catalog("tr"))
    assert not missing, f"run `pybabel extract` and `pybabel update` (locale/README.md): {missing}"


def test_the_catalogs_hold_no_strings_the_code_no_longer_uses() -> None:
    assert set(catalog("tr")) - code_messages() == set()


def test_turkish_translates_every_string() -> None:
    untranslated = [msgid for msgid, text in catalog("tr").items() if not text]
    assert untranslated == []


def test_translations_keep_every_placeholder() -> None:
    for msgid, text in catalog("tr").items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_catalogs_are_compiled_from_the_po_files_on_first_use() -> None:
    assert i18n.translations("tr").gettext("Sign in") == "Oturum aç"
    assert i18n.translations("en").gettext("Sign in") == "Sign in"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert i18n.translations("xx").gettext("Sign in") == "Sign in"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("tr-TR,tr;q=0.9,en;q=0.8", "tr"),
        ("de-DE,de;q=0.9,en-GB;q=0.5", "en"),
        ("de-DE", "en"),
        (None, "en"),
        ("*", "en"),
        ("en;q=0.5, tr-TR", "tr"),  # by q-value, not by order
        ("tr;q=0, en", "en"),  # q=0: not wanted
        ("de, tr;q=0.8, en;q=0.9", "en"),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected
