import pytest

from leadflow.identity import InvalidField, normalise_phone, normalise_whatsapp_id


def test_national_number_is_read_with_the_leads_country() -> None:
    assert normalise_phone("030 901820", "DE").e164 == "+4930901820"


def test_lead_country_may_be_lower_case() -> None:
    assert normalise_phone("0532 123 45 67", "tr").e164 == "+905321234567"


def test_country_comes_from_the_number_when_missing() -> None:
    number = normalise_phone("+90 532 123 45 67", None)

    assert (number.e164, number.region) == ("+905321234567", "TR")


def test_international_number_keeps_its_own_country_whatever_the_leads_country() -> None:
    assert normalise_phone("+49 30 901820", "TR").region == "DE"


@pytest.mark.parametrize("region", [None, "DE", "TR", "US"])
def test_double_zero_prefix_reads_as_international(region: str | None) -> None:
    assert normalise_phone("0049 30 901820", region).e164 == "+4930901820"


def test_the_leads_countrys_own_international_prefix_is_understood() -> None:
    assert normalise_phone("011 49 30 901820", "US").e164 == "+4930901820"


def test_number_carries_its_display_formats() -> None:
    number = normalise_phone("+4930901820", None)

    assert (number.national_format, number.international_format) == (
        "030 901820",
        "+49 30 901820",
    )


def test_non_geographic_number_has_no_region() -> None:
    assert normalise_phone("+800 1234 5678", None).region is None


def test_invalid_number_is_rejected_naming_the_country() -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_phone("030 9", "DE")

    assert raised.value.field == "phone"
    assert raised.value.message == "not a valid phone number for DE"


def test_national_number_without_a_country_is_rejected_with_the_reason() -> None:
    with pytest.raises(InvalidField, match="no country to read a national number with"):
        normalise_phone("030 901820", None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("call me", "not a phone number"),
        ("+999 123456", "unknown country code"),
        ("+49 1", "too short for a phone number"),
    ],
)
def test_text_that_is_no_phone_number_is_rejected(raw: str, reason: str) -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_phone(raw, None)

    assert (raised.value.field, raised.value.message) == ("phone", reason)


def test_whatsapp_id_is_digits_only() -> None:
    assert normalise_whatsapp_id("+90 532 123-45-67").wa_id == "905321234567"


def test_whatsapp_id_has_its_e164_form() -> None:
    assert normalise_whatsapp_id("905321234567").e164 == "+905321234567"


def test_mexican_whatsapp_id_with_the_old_mobile_one_maps_to_the_current_number() -> None:
    assert normalise_whatsapp_id("5215512345678").e164 == "+525512345678"


def test_brazilian_whatsapp_id_without_the_ninth_digit_maps_to_the_current_number() -> None:
    assert normalise_whatsapp_id("551187654321").e164 == "+5511987654321"


def test_whatsapp_id_that_is_no_valid_number_has_no_e164() -> None:
    whatsapp = normalise_whatsapp_id("123")

    assert (whatsapp.wa_id, whatsapp.e164) == ("123", None)


@pytest.mark.parametrize("raw", ["", "wa:905321234567", "٩٠٥٣٢١"])
def test_whatsapp_id_that_is_not_digits_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_whatsapp_id(raw)

    assert raised.value.field == "whatsapp_id"
