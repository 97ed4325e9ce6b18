"""The pipeline form: a pipeline shown as the form's text fields, and what the browser sends read
back into the pipeline's fields for the document, or field problems."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from leadflow.domain.configuration import (
    WEEKDAYS,
    NoAgentAction,
    OwnerAway,
    Pipeline,
    Strategy,
    Tier,
)
from leadflow.web.ui.config.forms import readers, stage_rows
from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.shell.formatting import timezones
from leadflow.web.ui.shell.i18n import N_

STRATEGIES = [s.value for s in Strategy]
ACTIONS = [a.value for a in NoAgentAction]
OWNER_AWAY = [o.value for o in OwnerAway]
TIERS = [t.value for t in Tier]


def form_of(pipeline: Pipeline) -> dict[str, Any]:
    hours = pipeline.business_hours
    form: dict[str, Any] = {
        "name": pipeline.name,
        "timezone": pipeline.timezone,
        "stages": stage_rows.stage_rows(pipeline),
        "lost_reasons": stage_rows.reason_rows(pipeline),
        "sla_minutes": str(pipeline.sla.first_contact_minutes),
        "max_reassignments": str(pipeline.sla.max_reassignments),
        "when_no_agent": pipeline.when_no_agent.action.value,
        "no_agent_agent": pipeline.when_no_agent.agent or "",
        "sticky": pipeline.repeats.sticky,
        "when_owner_away": pipeline.repeats.when_owner_away.value,
        "strategy": pipeline.pool.strategy.value,
        "members": {m.agent: str(m.weight) for m in pipeline.pool.members},
        "tier_bands": "\n".join(
            f"{b.field} {b.min:g}: {', '.join(t.value for t in b.tiers)}"
            for b in pipeline.pool.tier_bands
        ),
        "comment": "",
    }
    for day in WEEKDAYS:
        intervals = getattr(hours, day) if hours else []
        form[f"hours.{day}"] = readers.shown_intervals(intervals)
    return form


def sent_form(sent: Any, candidates: list[str]) -> dict[str, Any]:
    text = {name: str(value) for name, value in sent.items()}
    form: dict[str, Any] = {
        name: text.get(name, "")
        for name in (
            "name", "timezone", "sla_minutes", "max_reassignments", "when_no_agent",
            "no_agent_agent", "when_owner_away", "strategy", "tier_bands", "comment",
        )
    }  # fmt: skip
    form["stages"] = stage_rows.sent_stage_rows(sent)
    form["lost_reasons"] = stage_rows.sent_reason_rows(sent)
    form["sticky"] = "sticky" in text
    form["members"] = {
        agent: text.get(f"weight.{agent}", "1") for agent in candidates if f"member.{agent}" in text
    }
    for day in WEEKDAYS:
        form[f"hours.{day}"] = text.get(f"hours.{day}", "")
    return form


def read_pipeline(
    form: dict[str, Any], known_fields: Collection[str]
) -> tuple[dict[str, Any], FieldProblems]:
    """The pipeline's fields for the document, and the problems found; a stage may require
    `known_fields`."""
    problems = FieldProblems()
    values: dict[str, Any] = {"name": form["name"].strip()}
    if not values["name"]:
        problems.add("name", N_("Enter the pipeline's name."))
    values["timezone"] = form["timezone"]
    if form["timezone"] not in timezones():
        problems.add("timezone", N_("Choose a time zone from the list."))
    values["stages"] = stage_rows.read_stages(problems, form["stages"], known_fields)
    values["lost_reasons"] = stage_rows.read_reasons(problems, form["lost_reasons"])
    stage_rows.check_stage_set(problems, values["stages"], values["lost_reasons"])
    values["sla"] = {
        "first_contact_minutes": readers.read_int(
            problems, "sla_minutes", form["sla_minutes"], least=1
        ),
        "max_reassignments": readers.read_int(
            problems, "max_reassignments", form["max_reassignments"]
        ),
    }
    action = readers.read_choice(problems, "when_no_agent", form["when_no_agent"], ACTIONS)
    values["when_no_agent"] = {"action": action, "agent": form["no_agent_agent"] or None}
    values["repeats"] = {
        "sticky": form["sticky"],
        "when_owner_away": readers.read_choice(
            problems, "when_owner_away", form["when_owner_away"], OWNER_AWAY
        ),
    }
    values["pool"] = {
        "strategy": readers.read_choice(problems, "strategy", form["strategy"], STRATEGIES),
        "members": [
            {"agent": agent, "weight": readers.read_int(problems, f"weight.{agent}", weight)}
            for agent, weight in form["members"].items()
        ],
        "tier_bands": tier_bands(problems, form["tier_bands"]),
    }
    hours = {
        day: readers.read_intervals(problems, f"hours.{day}", form[f"hours.{day}"])
        for day in WEEKDAYS
    }
    values["business_hours"] = hours if any(hours.values()) else None
    return values, problems


def tier_bands(problems: FieldProblems, text: str) -> list[dict[str, Any]]:
    """One band a line: "budget 5000: high, developing" (field, least value, tiers best first)."""
    bands = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, tiers = line.partition(":")
        parts = head.split()
        names = readers.words(tiers.lower())
        try:
            least = float(parts[1]) if len(parts) == 2 else None
        except ValueError:
            least = None
        ok = parts and parts[0] in ("score", "budget") and least is not None and names
        if not ok or any(name not in TIERS for name in names):
            problems.add(
                "tier_bands",
                N_("Line %(line)s: write the field, the least value and the tiers, "
                   "such as budget 5000: high, developing."),
                line=number,
            )  # fmt: skip
            continue
        bands.append({"field": parts[0], "min": least, "tiers": names})
    return bands
