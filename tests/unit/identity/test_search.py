"""What a text typed into the leads search means."""

from __future__ import annotations

from leadflow.identity.search import SearchTerms, search_terms


def test_international_number_in_any_format_gives_its_e164_digits() -> None:
    expected = SearchTerms(phone_tail="4915123456789")
    assert search_terms("+49 151 2345-6789") == expected
    assert search_terms("0049 (151) 23456789") == expected


def test_national_number_drops_its_trunk_prefix() -> None:
    assert search_terms("0151 23456789") == SearchTerms(phone_tail="15123456789")
    assert search_terms("(0532) 123 45 67") == SearchTerms(phone_tail="5321234567")


def test_short_digits_are_not_a_phone() -> None:
    assert search_terms("12345").phone_tail is None


def test_name_words_are_lower_cased_and_also_an_email_start() -> None:
    assert search_terms("  Lena ") == SearchTerms(words=("lena",), email_prefix="lena")
    assert search_terms("Lena  Müller") == SearchTerms(words=("lena", "müller"))


def test_an_address_is_searched_as_an_email_only() -> None:
    assert search_terms("Lena@Example.") == SearchTerms(email_prefix="lena@example.")


def test_blank_text_searches_nothing() -> None:
    assert search_terms("   ").empty
