"""The rule form: a rule as rows of conditions (field, operator, value) joined by all or any, read
into the rule's document entry, and back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leadflow.domain.configuration import OPERATORS, All, AnyOf, Rule
from leadflow.domain.leads import ROUTABLE_FIELDS
from leadflow.web.ui.config.forms import readers
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.i18n import N_

BLANK_ROWS = 2
FIELDS = (*ROUTABLE_FIELDS, "time_of_day", "weekday")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_NO = {"no", "false", "0", "hayır"}


def blank_rule_form() -> dict[str, Any]:
    return {
        "key": "",
        "name": "",
        "enabled": True,
        "priority": "",
        "pipeline": "",
        "fallback": [],
        "match": "all",
        "rows": [_blank_row() for _ in range(BLANK_ROWS + 1)],
        "nested": False,
        "comment": "",
    }


def _blank_row() -> dict[str, str]:
    return {"field": "", "op": "equals", "value": ""}


def rule_form(rule: Rule) -> dict[str, Any]:
    """The form showing `rule`; a rule with groups inside groups is shown but its conditions
    are kept as they are (`nested`)."""
    form = blank_rule_form()
    form.update(
        key=rule.key,
        name=rule.name,
        enabled=rule.enabled,
        priority=str(rule.priority),
        pipeline=rule.pipeline,
        fallback=list(rule.fallback),
    )
    when = rule.when
    leaves: list[Any] = [] if when is None else [when]
    if isinstance(when, All | AnyOf):
        form["match"] = "all" if isinstance(when, All) else "any"
        leaves = list(when.all if isinstance(when, All) else when.any)
    if any(isinstance(leaf, All | AnyOf) for leaf in leaves):
        form["nested"] = True
        leaves = []
    form["rows"] = [_row_of(leaf) for leaf in leaves] + [_blank_row() for _ in range(BLANK_ROWS)]
    return form


def _row_of(leaf: Any) -> dict[str, str]:
    op = leaf.op
    if op in ("in", "not_in"):
        value = ", ".join(str(v) for v in leaf.values)
    elif op == "range":
        value = f"{_shown(leaf.min)}..{_shown(leaf.max)}"
    elif op == "exists":
        value = "yes" if leaf.value else "no"
    else:
        value = str(leaf.value)
    return {"field": leaf.field, "op": op, "value": value}


def _shown(bound: Any) -> str:
    if bound is None:
        return ""
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def sent_rule_form(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The form as the browser sent it (text kept, to show it again)."""
    text = {name: str(value) for name, value in sent.items() if isinstance(value, str)}
    count = 1 + max(
        (int(m[1]) for name in text if (m := re.fullmatch(r"cond-(\d+)-field", name))), default=-1
    )
    rows = [
        {
            "field": text.get(f"cond-{i}-field", "").strip(),
            "op": text.get(f"cond-{i}-op", "equals"),
            "value": text.get(f"cond-{i}-value", ""),
        }
        for i in range(count)
    ]
    getlist = getattr(sent, "getlist", None)
    fallback = [str(v) for v in getlist("fallback") if v] if getlist else []
    return {
        "key": text.get("key", "").strip(),
        "name": text.get("name", "").strip(),
        "enabled": "enabled" in text,
        "priority": text.get("priority", "").strip(),
        "pipeline": text.get("pipeline", ""),
        "fallback": fallback,
        "match": text.get("match", "all"),
        "rows": rows,
        "nested": text.get("nested") == "1",
        "comment": text.get("comment", ""),
    }


def read_rule(
    form: dict[str, Any], pipelines: list[str], keep_when: Any = None
) -> tuple[dict[str, Any], FieldProblems]:
    """The rule's document entry, and the problems found, named by form field."""
    problems = FieldProblems()
    if not _KEY.match(form["key"]):
        problems.add("key", N_("Use lower-case letters, digits, dots, dashes or underscores."))
    entry: dict[str, Any] = {"key": form["key"], "name": form["name"], "enabled": form["enabled"]}
    priority = readers.read_int(problems, "priority", form["priority"] or "100", least=-10000)
    entry["priority"] = priority if priority is not None else 100
    entry["pipeline"] = readers.read_choice(problems, "pipeline", form["pipeline"], pipelines)
    if any(key not in pipelines for key in form["fallback"]):
        problems.add("fallback", N_("Choose one of the options."))
    entry["fallback"] = [key for key in form["fallback"] if key != form["pipeline"]]
    if form["match"] not in ("all", "any"):
        problems.add("match", N_("Choose one of the options."))
    if form["nested"]:
        entry["when"] = keep_when
        return entry, problems
    leaves = [
        _leaf(problems, f"cond-{i}", row) for i, row in enumerate(form["rows"]) if row["field"]
    ]
    entry["when"] = _joined(form["match"], leaves)
    return entry, problems


def _joined(match: str, leaves: list[dict[str, Any]]) -> Any:
    if not leaves:
        return None
    if len(leaves) == 1 and match == "all":
        return leaves[0]
    return {match: leaves}


def condition_fields(form: dict[str, Any]) -> dict[str, str]:
    """Where the configuration's problems of the rule's conditions are shown: path → row."""
    rows = [i for i, row in enumerate(form["rows"]) if row["field"]]
    fields = {"when": f"cond-{rows[0]}" if len(rows) == 1 else "match"}
    for position, row in enumerate(rows):
        fields[f"when.{form['match']}[{position}]"] = f"cond-{row}"
    return fields


def _leaf(problems: FieldProblems, name: str, row: dict[str, str]) -> dict[str, Any]:
    field, op, text = row["field"], row["op"], row["value"].strip()
    if field not in FIELDS and not re.fullmatch(r"custom\.[A-Za-z0-9_]+", field):
        problems.add(name, N_("%(field)s is not a lead field."), field=field)
    if op not in OPERATORS:
        problems.add(name, N_("Choose one of the options."))
    leaf: dict[str, Any] = {"field": field, "op": op}
    if op in ("in", "not_in"):
        leaf["values"] = [_scalar(v) for v in re.split(r"\s*,\s*", text) if v]
        if not leaf["values"]:
            problems.add(name, N_("List at least one value, separated by commas."))
    elif op == "range":
        low, sep, high = text.partition("..")
        if not sep or not (low.strip() or high.strip()):
            problems.add(name, N_("Write a range like 1000..5000, 09:00..18:00 or 5000.."))
        leaf["min"], leaf["max"] = _bound(low), _bound(high)
    elif op == "exists":
        leaf["value"] = text.lower() not in _NO
    else:
        if not text:
            problems.add(name, N_("Enter a value."))
        leaf["value"] = text if op in ("prefix", "pattern") else _scalar(text)
    return leaf


def _scalar(text: str) -> str | int | float:
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _bound(text: str) -> str | float | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    return float(cleaned) if _NUMBER.match(cleaned) else cleaned
