"""The Jinja2 environment: autoescaped templates, gettext through `jinja2.ext.i18n`.

One environment serves every request; the language is chosen per render (`i18n.active`), so
`_()` in a template speaks the viewer's language.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from leadflow import __version__
from leadflow.domain.handovers import titled
from leadflow.domain.reasons import Reason
from leadflow.locale import speech
from leadflow.services.access import trace_words
from leadflow.web.ui.shell import i18n
from leadflow.web.ui.shell.vocabulary import label_key, own_name


def _label(kind: str, value: str | None) -> str:
    return i18n.current_gettext(label_key(kind, value)) if value else ""


def _say(words: Reason | str | None) -> str:
    """A coded reason in the page's language; words stored before reasons had codes as they
    are."""
    if words is None or isinstance(words, str):
        return words or ""
    locale = i18n.current_locale()
    return speech.say(words, locale) if locale == "en" else trace_words.said(words, locale)


def _task_title(title: str | None) -> str:
    """A task's title: one Leadflow gave in the page's language, a person's as it is."""
    code = titled(title) if title else None
    return speech.say(Reason(code), i18n.current_locale()) if code else (title or "")


def _json_script(value: Any) -> Markup:
    """JSON safe to embed in <script type="application/json"> (no `</script>` break-out)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above for a <script> element


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("leadflow.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.current_gettext, ngettext=i18n.current_ngettext, newstyle=True
    )
    env.globals["label"] = _label
    env.globals["own_name"] = own_name
    env.globals["say"] = _say
    env.globals["task_title"] = _task_title
    env.globals["leadflow_version"] = __version__
    env.filters["json_script"] = _json_script
    return env


def render(name: str, context: dict[str, Any], *, locale: str) -> str:
    with i18n.active(locale):
        return environment().get_template(name).render(context)
