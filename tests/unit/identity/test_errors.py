import pytest

from leadflow.identity import (
    FieldErrors,
    InvalidField,
    InvalidLead,
    normalise_country,
    normalise_email,
    normalise_phone,
)


def test_invalid_field_names_the_field_in_its_message() -> None:
    error = InvalidField("phone", "not a valid phone number for DE")

    assert str(error) == "phone: not a valid phone number for DE"


def test_every_bad_field_of_a_lead_is_reported_at_once() -> None:
    errors = FieldErrors()
    errors.collect(normalise_phone, "12", "DE")
    errors.collect(normalise_email, "ayse@")
    errors.collect(normalise_country, "Atlantis")

    with pytest.raises(InvalidLead) as raised:
        errors.raise_if_any()

    assert raised.value.fields == ("phone", "email", "country")


def test_good_fields_are_returned_and_nothing_is_raised() -> None:
    errors = FieldErrors()
    phone = errors.collect(normalise_phone, "030 901820", "DE")
    email = errors.collect(normalise_email, "Ayse@Example.com")

    errors.raise_if_any()
    assert (phone and phone.e164, email) == ("+4930901820", "ayse@example.com")


def test_a_bad_field_gives_none_in_place_of_its_value() -> None:
    assert FieldErrors().collect(normalise_email, "ayse@") is None


def test_invalid_lead_without_errors_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        InvalidLead([])
