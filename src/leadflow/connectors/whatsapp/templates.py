"""Approved WhatsApp message templates, pure: as the admin copies them from WhatsApp Manager
onto the connector (name, language code, body text with its variables `{{1}}`, `{{2}}`…), the
number of parameters each needs, the text a send renders, and the `components` of the Messages
API's template object.

Meta numbers a template's body variables from 1 without gaps; a send gives one `text`
parameter per variable, in order: `{"type": "body", "parameters": [{"type": "text", "text":
…}]}`. A wrong count is refused by WhatsApp with 132000, an unknown name or language with
132001. Sources: developers.facebook.com/documentation/business-messaging/whatsapp/templates/
… (template components, send a template message) and …/support/error-codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadflow.identity import InvalidField

VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")
"""Meta's template names: lower-case letters, digits and underscores."""
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
"""A template's language code: `de`, `en_US`, `pt_BR`, `zh_HANS`…"""
MAX_PARAMETER = 1024
"""The longest text Leadflow puts in one body parameter (WhatsApp caps the whole body)."""


class TemplateError(ValueError):
    """A template as configured that cannot be used; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    body: str = ""
    """The body as approved, with its variables; empty when only the name is known."""

    @property
    def key(self) -> str:
        """What a form or an API call picks it by: its name and language."""
        return f"{self.name}:{self.language}"

    @property
    def parameter_count(self) -> int:
        return len(variables(self.body))

    def render(self, parameters: Sequence[str]) -> str:
        """The text the person reads (the body with the parameters in; `[name]` when no body
        was configured). A parameter missing or empty leaves its variable showing (a preview)."""
        if not self.body:
            return f"[{self.name}]"

        def value(match: re.Match[str]) -> str:
            number = int(match.group(1))
            given = parameters[number - 1] if number <= len(parameters) else ""
            return given or match.group(0)

        return VARIABLE.sub(value, self.body)

    def components(self, parameters: Sequence[str]) -> list[dict[str, Any]]:
        """The template object's `components`: the body's parameters, none when it has none."""
        if not parameters:
            return []
        texts = [{"type": "text", "text": value} for value in parameters]
        return [{"type": "body", "parameters": texts}]


def variables(body: str) -> list[int]:
    """The body's variable numbers, 1…n each once (a variable may be used twice)."""
    return sorted({int(number) for number in VARIABLE.findall(body)})


def parse(raw: Any, where: str) -> Template:
    """One configured template ({"name", "language", "body"}); TemplateError names the field."""
    if not isinstance(raw, dict):
        raise TemplateError(where, "must be an object with name, language and body")
    name = str(raw.get("name") or "").strip()
    language = str(raw.get("language") or "").strip()
    body = str(raw.get("body") or "")
    if not NAME.match(name):
        raise TemplateError(f"{where}.name", "lower-case letters, digits and _ as in WhatsApp")
    if not LANGUAGE.match(language):
        raise TemplateError(f"{where}.language", "a language code such as de or en_US")
    numbers = variables(body)
    if numbers != list(range(1, len(numbers) + 1)):
        raise TemplateError(f"{where}.body", "variables must be {{1}}, {{2}}… without gaps")
    return Template(name=name, language=language, body=body)


def of_settings(settings: dict[str, Any]) -> list[Template]:
    """A WhatsApp connector's templates: `templates` (a list), and the older single
    `template_name` / `template_language` (no body: no parameters). Raises TemplateError."""
    raw = settings.get("templates") or []
    if not isinstance(raw, list):
        raise TemplateError("templates", "must be a list of {name, language, body}")
    found = [parse(item, f"templates.{index}") for index, item in enumerate(raw)]
    single = settings.get("template_name")
    if single:
        language = str(settings.get("template_language") or "en_US")
        found.append(parse({"name": single, "language": language}, "template_name"))
    unique: dict[str, Template] = {}
    for template in found:
        unique.setdefault(template.key, template)
    return list(unique.values())


def checked_parameters(template: Template, parameters: Sequence[str]) -> list[str]:
    """The parameters, trimmed, when there is one per variable and none is empty; InvalidField
    names `parameters` (the count) or `parameters.N` (one of them, from 1)."""
    count = template.parameter_count
    if len(parameters) != count:
        raise InvalidField(
            "parameters",
            f"template {template.name} ({template.language}) takes {count} parameters, "
            f"{len(parameters)} given",
        )
    values = [value.strip() for value in parameters]
    for number, value in enumerate(values, start=1):
        if not value:
            raise InvalidField(f"parameters.{number}", f"fill in {{{{{number}}}}}")
        if len(value) > MAX_PARAMETER or "\n" in value or "\t" in value or "    " in value:
            # WhatsApp refuses a parameter with a new line, a tab or more than 4 spaces (132018)
            raise InvalidField(
                f"parameters.{number}",
                f"one line, at most {MAX_PARAMETER} characters, no more than 3 spaces in a row",
            )
    return values


# --- the templates WhatsApp Manager holds (Graph `GET /{waba_id}/message_templates`) ---------

GRAPH_FIELDS = "name,language,status,components,parameter_format"


def from_graph(item: dict[str, Any]) -> Template | str:
    """One template as Graph lists it: a usable Template (approved, its body's variables
    positional, nothing else to fill in), or why it is left out."""
    name = str(item.get("name") or "")
    language = str(item.get("language") or "")
    if item.get("status") != "APPROVED":
        return f"{name} ({language}): {str(item.get('status') or '?').lower()}, not approved"
    if str(item.get("parameter_format") or "POSITIONAL").upper() != "POSITIONAL":
        return f"{name} ({language}): named variables are not supported yet"
    body = ""
    for component in item.get("components") or []:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type") or "").upper()
        text = str(component.get("text") or "")
        if kind == "BODY":
            body = text
        elif kind == "HEADER" and (
            VARIABLE.search(text) or str(component.get("format") or "TEXT").upper() != "TEXT"
        ):
            return f"{name} ({language}): a header to fill in is not supported yet"
        elif kind == "BUTTONS" and any(
            VARIABLE.search(str(button.get("url") or ""))
            for button in component.get("buttons") or []
            if isinstance(button, dict)
        ):
            return f"{name} ({language}): a button to fill in is not supported yet"
    try:
        return parse({"name": name, "language": language, "body": body}, name or "template")
    except TemplateError as error:
        return f"{name} ({language}): {error.message}"
