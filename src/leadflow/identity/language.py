"""Which language to greet a lead in, from what the lead told us down to where the lead lives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from leadflow.identity.country import main_language
from leadflow.identity.language_codes import language_of_tag, normalise_language

LanguageSource = Literal["explicit", "locale", "detected", "country", "none"]
Accuracy = Literal["low", "high"]
"""lingua's modes. "high" adds 1-, 2-, 4- and 5-gram models to the trigrams: +271 MB a server
process for the demo's 8 languages, against 16-22 MB (bench/language.py, docs/decisions/0015);
"low" keeps a process under 300 MB."""

MIN_WORDS_FOR_DETECTION: Final = 3
"""Shorter messages ("hi", "ok", a name) say nothing reliable about their language."""

SHORT_MESSAGE_CHARS: Final = 60
SHORT_MESSAGE_CONFIDENCE: Final = 0.9
"""Below SHORT_MESSAGE_CHARS, low accuracy (trigrams only) is sure of wrong answers: on the
1,440 messages of bench/language.py it named a wrong language for 21 at the usual 0.6 (high
accuracy: 9). Asking 0.9 of messages this short leaves 11 wrong, and 16 more to the country."""

_LINGUA_CODES: Final[Mapping[str, str]] = {"no": "nb"}
"""Served codes lingua knows under another name: it models Norwegian as Bokmål and Nynorsk."""


@dataclass(frozen=True)
class LanguageGuess:
    language: str | None
    """ISO 639-1, lower case."""
    source: LanguageSource
    confidence: float | None
    """Lingua's confidence, relative to the served languages; None unless detected."""


@dataclass(frozen=True)
class _ServedDetector:
    detector: LanguageDetector
    codes: Mapping[Language, str]
    """Each detectable language back to the code the organisation serves it under."""


def infer_language(
    *,
    explicit: str | None,
    locale: str | None,
    message: str | None,
    country: str | None,
    served: frozenset[str],
    threshold: float = 0.6,
) -> LanguageGuess:
    """The lead's language, from the most to the least direct evidence.

    An explicit language (invalid: InvalidField) or the form's locale win even when the
    organisation does not serve that language: they are facts about the lead. Detection on the
    message only chooses among the served languages, needs two of them that lingua knows, at
    least MIN_WORDS_FOR_DETECTION words and a confidence of `threshold`. The country's main
    language comes last. An unreadable locale is a browser's noise, not the lead's error: skipped.
    """
    if explicit is not None and explicit.strip():
        return LanguageGuess(normalise_language(explicit), "explicit", None)
    from_locale = language_of_tag(locale) if locale else None
    if from_locale is not None:
        return LanguageGuess(from_locale, "locale", None)
    detected = _detect(message, served, threshold) if message else None
    if detected is not None:
        return detected
    from_country = main_language(country) if country else None
    if from_country is not None:
        return LanguageGuess(from_country, "country", None)
    return LanguageGuess(None, "none", None)


def _detect(
    message: str, served: frozenset[str], threshold: float, accuracy: Accuracy = "low"
) -> LanguageGuess | None:
    served_detector = _detector_for(served, accuracy)
    if served_detector is None or len(message.split()) < MIN_WORDS_FOR_DETECTION:
        return None
    values = served_detector.detector.compute_language_confidence_values(message)
    best = values[0] if values else None
    if accuracy == "low" and len(message.strip()) < SHORT_MESSAGE_CHARS:
        threshold = max(threshold, SHORT_MESSAGE_CONFIDENCE)
    if best is None or best.value < threshold:
        return None
    return LanguageGuess(served_detector.codes[best.language], "detected", best.value)


@lru_cache(maxsize=64)
def _detector_for(served: frozenset[str], accuracy: Accuracy = "low") -> _ServedDetector | None:
    """Built once per set of served languages, with every model loaded (low accuracy: 0.4 s,
    16-22 MB for 8 languages). Loaded lazily instead, the models a message first needs stalled
    the server's event loop for over a second when such a message came (py-spy,
    docs/benchmarks.md)."""
    normalised = {language_of_tag(code) or code for code in served}
    codes = {language: code for code in normalised if (language := _lingua(code)) is not None}
    if len(codes) < 2:
        return None  # with one candidate, "detection" would always answer it
    builder = LanguageDetectorBuilder.from_languages(*codes)
    if accuracy == "low":
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()
    return _ServedDetector(detector, codes)


def _lingua(code: str) -> Language | None:
    try:
        iso = IsoCode639_1.from_str(_LINGUA_CODES.get(code, code))
    except ValueError:
        return None
    return Language.from_iso_code_639_1(iso)
