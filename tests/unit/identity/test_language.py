import csv
from pathlib import Path

import pytest

from leadflow.identity import InvalidField, LanguageGuess, infer_language, normalise_language
from leadflow.identity.language import _detector_for

SERVED = frozenset({"de", "en", "tr", "ar", "ru"})
GERMAN = "Ich möchte einen Termin für eine Haartransplantation, was kostet das?"


def guess(
    *,
    explicit: str | None = None,
    locale: str | None = None,
    message: str | None = None,
    country: str | None = None,
    served: frozenset[str] = SERVED,
    threshold: float = 0.6,
) -> LanguageGuess:
    return infer_language(
        explicit=explicit,
        locale=locale,
        message=message,
        country=country,
        served=served,
        threshold=threshold,
    )


def test_explicit_language_wins_over_everything() -> None:
    found = guess(explicit="ru", locale="de_DE", message=GERMAN, country="TR")

    assert found == LanguageGuess("ru", "explicit", None)


@pytest.mark.parametrize(("raw", "language"), [("DE", "de"), (" pt-BR ", "pt"), ("iw", "he")])
def test_explicit_language_is_normalised(raw: str, language: str) -> None:
    assert guess(explicit=raw).language == language


def test_invalid_explicit_language_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidField) as raised:
        guess(explicit="xx", country="DE")

    assert (raised.value.field, raised.value.message) == ("language", "unknown language code 'xx'")


@pytest.mark.parametrize(
    ("locale", "language"), [("de_DE", "de"), ("de-AT", "de"), ("pt_BR", "pt")]
)
def test_locale_gives_its_language(locale: str, language: str) -> None:
    assert guess(locale=locale) == LanguageGuess(language, "locale", None)


def test_locale_wins_over_detection() -> None:
    assert guess(locale="en_GB", message=GERMAN).source == "locale"


def test_locale_language_the_organisation_does_not_serve_is_still_returned() -> None:
    assert guess(locale="pt_BR", message=GERMAN).language == "pt"


@pytest.mark.parametrize("locale", ["C", "POSIX", "", "xx_YY"])
def test_unreadable_locale_is_skipped(locale: str) -> None:
    assert guess(locale=locale, country="TR").source == "country"


def test_german_message_is_detected_when_served() -> None:
    found = guess(message=GERMAN, country="TR")

    assert (found.language, found.source) == ("de", "detected")
    assert (found.confidence or 0) >= 0.6


def test_detection_chooses_only_among_served_languages() -> None:
    assert guess(message=GERMAN, served=frozenset({"en", "tr", "ar"})).language != "de"


def test_detection_below_threshold_falls_back_to_country() -> None:
    assert guess(message="Hotel hotel hotel", country="AE") == LanguageGuess("ar", "country", None)


def test_raising_the_threshold_rejects_a_detection() -> None:
    assert guess(message=GERMAN, country="TR", threshold=1.01).source == "country"


def test_short_message_is_not_detected() -> None:
    assert guess(message="Hallo!", country="TR").source == "country"


def test_organisation_serving_one_language_never_detects_it() -> None:
    assert guess(message=GERMAN, country="TR", served=frozenset({"de"})).source == "country"


def test_norwegian_is_one_language_whatever_its_code() -> None:
    message = "Jeg vil gjerne bestille en time for hårtransplantasjon"

    assert normalise_language("nb") == "no"
    assert guess(country="NO").language == "no"
    assert guess(message=message, served=frozenset({"no", "de"})).language == "no"
    assert guess(message=message, served=frozenset({"nb", "de"})).language == "no"


def test_without_any_evidence_the_language_is_unknown() -> None:
    assert guess(message="ok", country="ZZ") == LanguageGuess(None, "none", None)


def test_detector_is_built_once_per_served_set() -> None:
    assert _detector_for(frozenset(["en", "de"])) is _detector_for(frozenset(["de", "en"]))


def _lead_messages() -> list[tuple[str, str]]:
    """lingua's own test sentences cut to lead-message lengths (bench/language_samples.py)."""
    path = Path(__file__).parents[3] / "bench" / "data" / "language-samples.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(code, text) for code, kind, text in rows if kind != "pair"]


def test_short_lead_messages_in_every_served_language_are_detected_rightly() -> None:
    served = frozenset({"de", "en", "ar", "ru", "fr", "tr", "uk", "kk"})
    messages = _lead_messages()
    verdicts = [guess(message=text, served=served) for _, text in messages]
    right = sum(v.language == code for (code, _), v in zip(messages, verdicts, strict=True))
    wrong = sum(
        v.source == "detected" and v.language != code
        for (code, _), v in zip(messages, verdicts, strict=True)
    )

    # Measured 1,393 right and 11 wrong of these 1,440 (high accuracy: 1,412 and 9).
    assert len(messages) == 1440
    assert right >= 1385
    assert wrong <= 13


def test_a_short_message_needs_more_confidence_than_a_long_one() -> None:
    short = "He died in 1915"  # low accuracy: German at 0.85

    assert guess(message=short, country="GB") == LanguageGuess("en", "country", None)
    assert (
        guess(message=f"{short}, and the house went to his daughter and her husband").language
        == "en"
    )
