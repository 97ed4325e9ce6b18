import pytest

from leadflow.identity import InvalidField, normalise_email


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Ayse.Yilmaz@Example.COM ") == "ayse.yilmaz@example.com"


def test_internationalised_domain_is_kept_in_unicode() -> None:
    assert normalise_email("Hans@Bücher.de") == "hans@bücher.de"


def test_email_domain_is_not_looked_up() -> None:
    assert normalise_email("lead@no-such-clinic-domain-4c1f.com") == (
        "lead@no-such-clinic-domain-4c1f.com"
    )


def test_bad_email_is_rejected_with_the_validators_reason() -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_email("ayse@")

    assert raised.value.field == "email"
    assert "after the @-sign" in raised.value.message


@pytest.mark.parametrize("raw", ["", "  ", "ayse", "ayse@@example.com", "ayse@example"])
def test_text_that_is_no_email_is_rejected_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidField) as raised:
        normalise_email(raw)

    assert raised.value.field == "email"
