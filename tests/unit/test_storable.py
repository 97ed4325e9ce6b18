"""What PostgreSQL can store, named by where it is (pure)."""

from __future__ import annotations

from leadflow.domain.storable import MAX_DEPTH, HugeInteger, text_problem, unstorable


def test_storable_values_raise_no_problem() -> None:
    value = {"a": [1, 2.5, "text", None, True], "b": {"c": -(2**63)}}
    assert list(unstorable(value)) == []


def test_each_problem_is_named_by_its_path() -> None:
    huge = HugeInteger(5000)
    value = {"a": [1, float("inf")], "b": {"c": "x\x00y"}, "d": 2**64, "e": huge}
    assert [path for path, _ in unstorable(value)] == ["a.1", "b.c", "d", "e"]


def test_a_key_with_an_unpaired_surrogate_is_named_by_its_object() -> None:
    assert [path for path, _ in unstorable({"o": {"\udfff": 1}})] == ["o"]


def test_nesting_beyond_the_limit_is_refused() -> None:
    value: object = 1
    for _ in range(MAX_DEPTH + 2):
        value = [value]
    assert [message for _, message in unstorable(value)] == [
        f"is nested too deeply (at most {MAX_DEPTH} levels)"
    ]


def test_text_with_a_surrogate_or_nul_has_a_problem() -> None:
    assert text_problem("Müller") is None
    assert text_problem("a\udfffb") is not None
    assert text_problem("a\x00b") is not None
