import pytest

from leadflow.identity import ContactKey, InvalidField, contact_keys


def test_each_channel_gives_its_own_key() -> None:
    keys = contact_keys("+4930901820", "ayse@example.com", None)

    assert keys == [ContactKey("phone", "+4930901820"), ContactKey("email", "ayse@example.com")]


def test_whatsapp_lead_and_form_lead_with_the_same_number_share_a_phone_key() -> None:
    from_whatsapp = contact_keys(None, None, "905321234567")
    from_form = contact_keys("+905321234567", "ayse@example.com", None)

    assert set(from_whatsapp) & set(from_form) == {ContactKey("phone", "+905321234567")}


def test_whatsapp_id_keeps_its_own_key_besides_the_phone_key() -> None:
    assert contact_keys(None, None, "905321234567") == [
        ContactKey("phone", "+905321234567"),
        ContactKey("whatsapp", "905321234567"),
    ]


def test_same_number_by_phone_and_whatsapp_gives_one_phone_key() -> None:
    keys = contact_keys("+905321234567", None, "905321234567")

    assert [key.kind for key in keys] == ["phone", "whatsapp"]


def test_whatsapp_id_that_is_no_phone_number_gives_only_its_whatsapp_key() -> None:
    assert contact_keys(None, None, "123") == [ContactKey("whatsapp", "123")]


def test_lead_without_contact_data_has_no_keys() -> None:
    assert contact_keys(None, "", None) == []


def test_a_business_scoped_user_id_is_a_whatsapp_key_of_its_own_with_no_phone() -> None:
    assert contact_keys(None, None, "BR.1502576394655843") == [
        ContactKey("whatsapp", "BR.1502576394655843")
    ]
    assert contact_keys(None, None, "US.ENT.11815799212886844830") == [
        ContactKey("whatsapp", "US.ENT.11815799212886844830")
    ]


def test_a_malformed_business_scoped_id_is_refused() -> None:
    with pytest.raises(InvalidField, match="whatsapp_id"):
        contact_keys(None, None, "br.15025")
