"""Templates compile, escape what they embed, and speak the language they are rendered in."""

from __future__ import annotations

import json

import pytest

from leadflow.domain.handovers import TASK_TITLES
from leadflow.domain.reasons import Reason
from leadflow.services.access import trace_scope
from leadflow.web.ui.shell import i18n, templating
from leadflow.web.ui.shell.routers import safe_next

TEMPLATES = templating.environment().list_templates(extensions=["html"])


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_compiles(name: str) -> None:
    templating.environment().get_template(name)


def test_the_error_page_renders_in_turkish() -> None:
    context = {"title": "Page not found", "message": "No differences.", "csrf_token": "t"}
    html = templating.render("error.html", {**context, "flashes": [], "locale": "tr"}, locale="tr")
    assert "<h1>Sayfa bulunamadı</h1>" in html
    assert "Ana sayfaya git" in html
    english = templating.render("error.html", {**context, "flashes": []}, locale="en")
    assert "<h1>Page not found</h1>" in english


def test_json_for_charts_cannot_close_its_script_element() -> None:
    embedded = templating._json_script({"labels": ["</script><script>alert(1)"]})
    assert "</script>" not in embedded
    assert json.loads(embedded) == {"labels": ["</script><script>alert(1)"]}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/config/agents?team=german", "/config/agents?team=german"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_a_form_only_local_pages_are_followed(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_say_words_names_hidden_from_the_viewer_in_the_page_language() -> None:
    """A viewer's scope writes "another agent" into a reason's parameters; a Turkish page says
    it in Turkish, inside nested reasons too."""
    hidden = Reason(
        "staff.rerouted", {"away": Reason("staff.left", {"agent": trace_scope.ANOTHER_AGENT})}
    )
    page = templating.environment().from_string("{{ say(reason) }}")
    with i18n.active("tr"):
        assert page.render(reason=hidden) == (
            "başka bir temsilci şirketten ayrıldı: havuz üzerinden yeniden yönlendirildi"
        )
    with i18n.active("en"):
        assert page.render(reason=hidden) == (
            "another agent left the company: routed again through the pool"
        )


def test_task_titles_of_ours_are_translated_and_a_persons_are_not() -> None:
    page = templating.environment().from_string("{{ task_title(title) }}")
    with i18n.active("tr"):
        assert page.render(title=TASK_TITLES["task.missed_call"]) == "Geri ara: cevapsız çağrı"
        assert page.render(title="Call back: 100% sure") == "Call back: 100% sure"
