import phonenumbers
import pytest

from leadflow.identity import InvalidField, main_language, normalise_country, normalise_language


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        (" tr ", "TR"),
        ("DEU", "DE"),
        ("gbr", "GB"),
        ("UK", "GB"),
        ("Germany", "DE"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("the Netherlands", "NL"),
        ("United Arab Emirates", "AE"),
        ("UAE", "AE"),
        ("Côte d’Ivoire", "CI"),
        ("XK", "XK"),
    ],
)
def test_country_is_read_from_codes_and_english_names(raw: str, code: str) -> None:
    assert normalise_country(raw) == code


@pytest.mark.parametrize("raw", ["XX", "EU", "ZZ", "", "Atlantis", "276"])
def test_unknown_country_is_rejected_naming_it(raw: str) -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_country(raw)

    assert raised.value.field == "country"
    assert raised.value.message == f"unknown country code {raw!r}"


@pytest.mark.parametrize(
    ("country", "language"),
    [
        ("DE", "de"),
        ("AT", "de"),
        ("AE", "ar"),
        ("KZ", "ru"),
        ("BY", "ru"),
        ("BE", "fr"),
        ("BR", "pt"),
        ("NO", "no"),
        ("IR", "fa"),
        ("gb", "en"),
    ],
)
def test_main_language_comes_from_the_call_center_table(country: str, language: str) -> None:
    assert main_language(country) == language


@pytest.mark.parametrize(("country", "language"), [("ET", "am"), ("KE", "sw"), ("NG", "en")])
def test_main_language_of_other_countries_comes_from_cldr(country: str, language: str) -> None:
    assert main_language(country) == language


def test_main_language_of_an_unknown_country_is_unknown() -> None:
    assert main_language("ZZ") is None


def test_every_main_language_is_a_normalised_iso_639_1_code() -> None:
    languages = {main_language(region) for region in phonenumbers.SUPPORTED_REGIONS} - {None}

    assert all(normalise_language(language) == language for language in languages if language)
