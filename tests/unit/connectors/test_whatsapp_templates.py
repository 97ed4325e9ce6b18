"""WhatsApp templates as the admin copies them: their parameters counted, checked, rendered and
put in the Messages API's documented `components`."""

from __future__ import annotations

import pytest

from leadflow.connectors.whatsapp import templates
from leadflow.connectors.whatsapp.templates import Template, TemplateError
from leadflow.identity import InvalidField

REMINDER = Template("appointment_reminder", "de", "Hallo {{1}}, am {{2}}. Bis dann, {{ 1 }}!")


def test_a_variable_used_twice_is_one_parameter() -> None:
    assert REMINDER.parameter_count == 2
    assert REMINDER.render(["Lena", "Montag"]) == "Hallo Lena, am Montag. Bis dann, Lena!"


def test_a_preview_keeps_the_variables_not_filled_in() -> None:
    assert REMINDER.render(["Lena", ""]) == "Hallo Lena, am {{2}}. Bis dann, Lena!"


def test_the_components_are_one_body_with_a_text_parameter_per_variable() -> None:
    assert REMINDER.components(["Lena", "Montag"]) == [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Lena"}, {"type": "text", "text": "Montag"}],
        }
    ]
    assert Template("hello_world", "en_US").components([]) == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"name": "Follow Up", "language": "de", "body": ""}, "templates.0.name"),
        ({"name": "follow_up", "language": "deutsch", "body": ""}, "templates.0.language"),
        ({"name": "follow_up", "language": "de", "body": "{{1}} and {{3}}"}, "templates.0.body"),
        ("follow_up", "templates.0"),
    ],
)
def test_a_template_copied_wrongly_is_refused_naming_the_field(raw: object, field: str) -> None:
    with pytest.raises(TemplateError) as refused:
        templates.of_settings({"templates": [raw]})
    assert refused.value.field == field


def test_the_older_single_template_setting_is_still_read() -> None:
    found = templates.of_settings({"template_name": "follow_up", "template_language": "de"})
    assert [(t.name, t.language, t.parameter_count) for t in found] == [("follow_up", "de", 0)]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (["Lena"], "parameters"),
        (["Lena", "Montag", "extra"], "parameters"),
        (["Lena", "  "], "parameters.2"),
        (["Zeile\nzwei", "Montag"], "parameters.1"),
    ],
)
def test_parameters_are_one_per_variable_and_none_empty(given: list[str], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        templates.checked_parameters(REMINDER, given)
    assert refused.value.field == field


def test_good_parameters_are_trimmed() -> None:
    assert templates.checked_parameters(REMINDER, [" Lena ", "Montag"]) == ["Lena", "Montag"]
