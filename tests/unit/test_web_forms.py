"""Website forms' configuration and posts (pure): origins, the field mapping, the honeypot and
the embed snippet."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from leadflow.domain import web_forms as pages
from leadflow.domain.web_forms import HONEYPOT, Problem, WebFormSpec


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("https://Clinic.example", "https://clinic.example"),
        ("https://clinic.example/", "https://clinic.example"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("clinic.example", None),
        ("ftp://clinic.example", None),
        ("https://clinic.example/contact", None),
        ("https://user@clinic.example", None),
        ("https://clinic.example:99999", None),
    ],
)
def test_an_origin_is_a_scheme_and_a_host(given: str, origin: str | None) -> None:
    assert pages.origin_of(given) == origin


def test_a_posts_origin_falls_back_on_its_referer() -> None:
    assert pages.request_origin("https://a.example", "https://b.example/x") == "https://a.example"
    assert pages.request_origin(None, "https://b.example/x?y=1") == "https://b.example"
    assert pages.request_origin("null", None) is None
    assert pages.request_origin(None, None) is None


def test_every_problem_of_a_configuration_is_named_by_its_field() -> None:
    spec = WebFormSpec(
        key="-x",
        name=" ",
        allowed_origins=("https://ok.example", "nope"),
        field_map={"tel": "phone", "mobile": "phone", "a b": "email", "x": "custom.Bad"},
    )
    found = [(r.field, r.problem) for r in pages.check(spec)]
    assert found == [
        ("key", Problem.KEY),
        ("name", Problem.NAME),
        ("allowed_origins", Problem.ORIGIN),
        ("field_map.mobile", Problem.TWICE),
        ("field_map", Problem.FIELD_NAME),
        ("field_map.x", Problem.TARGET),
    ]


def test_the_mapping_renames_fields_keeps_the_rest_and_drops_the_honeypot() -> None:
    data = {"tel": "+49 151", "klinik": "Berlin", "insurance": "private", HONEYPOT: ""}
    mapped = pages.mapped(data, {"tel": "phone", "klinik": "custom.clinic"})
    assert mapped == {"phone": "+49 151", "insurance": "private", "custom": {"clinic": "Berlin"}}
    assert not pages.is_spam(data)
    assert pages.is_spam({**data, HONEYPOT: "x"})


def test_a_mapping_is_read_from_lines_or_commas() -> None:
    assert pages.parse_mapping("tel = phone\n\nklinik=custom.clinic, name = first_name") == {
        "tel": "phone",
        "klinik": "custom.clinic",
        "name": "first_name",
    }


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.action = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.action = found["action"] or ""
        if tag in ("input", "textarea"):
            self.names.append(found["name"] or "")


def test_the_snippet_posts_every_mapped_field_and_the_honeypot_escaped() -> None:
    action = 'https://lf.example/api/v1/forms/a"b'
    snippet = pages.embed_snippet(
        action, {"tel": "phone", "note": "message"}, {"phone": "Telefon <mobil>"}, "Senden"
    )
    parsed = _Inputs()
    parsed.feed(snippet)
    assert parsed.action == action
    assert parsed.names == ["tel", "note", HONEYPOT]
    assert "Telefon &lt;mobil&gt;" in snippet
    assert '<textarea name="note"' in snippet


def test_the_snippet_asks_in_the_leads_own_order_custom_fields_last() -> None:
    field_map = {"klinik": "custom.clinic", "note": "message", "tel": "phone", "vn": "first_name"}
    names = [field.name for field in pages.snippet_fields(field_map)]
    assert names == ["vn", "tel", "note", "klinik"]
