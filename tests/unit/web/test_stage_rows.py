"""The pipeline form's stage and lost-reason rows read back into the document, or problems named
by row: no database, just the readers."""

from __future__ import annotations

from typing import Any

from leadflow.web.ui.config.forms.readers import FieldProblems
from leadflow.web.ui.config.forms.stage_rows import check_stage_set, read_reasons, read_stages

KNOWN = ["treatment", "budget", "travel_month"]


def row(key: str, position: str = "", kind: str = "open", **extra: Any) -> dict[str, Any]:
    return {"position": position, "key": key, "name": "", "type": kind, "requires": [], **extra}


def test_rows_are_ordered_by_position_and_blank_rows_dropped() -> None:
    problems = FieldProblems()
    rows = [row("new", "1"), row("won", "3", "won"), row(""), row("contacted", "1.5")]
    stages = read_stages(problems, rows, KNOWN)
    assert [s["key"] for s in stages] == ["new", "contacted", "won"]
    assert not problems


def test_a_key_used_twice_is_named_on_its_second_row() -> None:
    problems = FieldProblems()
    read_stages(problems, [row("new"), row("contacted"), row("new")], KNOWN)
    assert list(problems) == ["stage-2-key"]


def test_unknown_required_fields_and_types_are_named_by_row() -> None:
    problems = FieldProblems()
    rows = [row("new"), row("qualified", requires=["treatment", "shoe_size"]), row("x", kind="odd")]
    read_stages(problems, rows, KNOWN)
    assert set(problems) == {"stage-1-requires", "stage-2-type"}


def test_required_fields_keep_their_order() -> None:
    stages = read_stages(
        FieldProblems(), [row("booked", requires=["travel_month", "budget"])], KNOWN
    )
    assert stages[0]["requires"] == ["travel_month", "budget"]


def test_the_first_stage_must_be_open_and_a_lost_stage_needs_reasons() -> None:
    problems = FieldProblems()
    stages = read_stages(problems, [row("won", kind="won"), row("lost", kind="lost")], KNOWN)
    check_stage_set(problems, stages, read_reasons(problems, [{"key": "", "name": ""}]))
    assert set(problems) == {"stages", "lost_reasons"}


def test_lost_reasons_keep_their_names_and_refuse_a_key_twice() -> None:
    problems = FieldProblems()
    rows = [{"key": "price", "name": "Too expensive"}, {"key": "price", "name": ""}]
    reasons = read_reasons(problems, rows)
    assert reasons[0] == {"key": "price", "name": "Too expensive"}
    assert list(problems) == ["reason-1-key"]
