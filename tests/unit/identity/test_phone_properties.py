"""Properties of phone normalisation over the example numbers of every region phonenumbers knows."""

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from leadflow.identity import InvalidField, normalise_phone, normalise_whatsapp_id


def _example_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None and phonenumbers.is_valid_number(number):
                examples.append((region, number))
    return examples


EXAMPLES = _example_numbers()
SEPARATORS = st.sampled_from(["", "", " ", "-", "(", ")", ".", " - "])


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str | None, str]:
    """A number as a person might type it, the country to read it with, and its E.164."""
    region, number = draw(st.sampled_from(EXAMPLES))
    e164 = _e164(number)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    prefix, body, read_with = draw(
        st.sampled_from(
            [
                ("", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), region),
                ("+", international.removeprefix("+"), None),
                ("+", international.removeprefix("+"), region),
                ("+", e164.removeprefix("+"), None),
                ("00", e164.removeprefix("+"), None),
            ]
        )
    )
    separators = draw(st.lists(SEPARATORS, min_size=len(body), max_size=len(body)))
    written = "".join(char + separator for char, separator in zip(body, separators, strict=True))
    return prefix + written.rstrip(" -(."), read_with, e164


@settings(max_examples=400)
@given(written_numbers())
def test_any_written_form_of_a_valid_number_gives_its_e164(
    written: tuple[str, str | None, str],
) -> None:
    raw, region, e164 = written

    assert normalise_phone(raw, region).e164 == e164


@given(st.sampled_from(EXAMPLES), st.sampled_from([None, "DE", "TR", "US"]))
def test_normalising_an_e164_number_changes_nothing(
    example: tuple[str, phonenumbers.PhoneNumber], lead_country: str | None
) -> None:
    e164 = _e164(example[1])

    assert normalise_phone(e164, lead_country).e164 == e164


@given(st.sampled_from(EXAMPLES))
def test_whatsapp_id_of_a_valid_number_joins_its_phone(
    example: tuple[str, phonenumbers.PhoneNumber],
) -> None:
    e164 = _e164(example[1])

    assert normalise_whatsapp_id(e164.removeprefix("+")).e164 == e164


def _outcome(raw: str, region: str | None) -> str:
    """The E.164 of `raw`, or the field its InvalidField names."""
    try:
        return normalise_phone(raw, region).e164
    except InvalidField as error:
        return error.field


@given(st.text(), st.sampled_from([None, "DE", "xx", ""]))
def test_any_text_is_a_number_or_an_invalid_phone_field(raw: str, region: str | None) -> None:
    outcome = _outcome(raw, region)

    assert outcome == "phone" or outcome.startswith("+")
