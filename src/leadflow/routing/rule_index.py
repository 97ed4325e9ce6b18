"""Which rules could match a lead, found by one lookup instead of evaluating all of them.

Most rules start with an equality on a plain field ("treatment equals hair", "language in de,
nl"). The index picks the field most rules are guarded by and maps each of its values to the
rules worth evaluating for a lead with that value, in priority order; rules with no such guard
are evaluated for every lead. The outcome is exactly that of evaluating every rule in order: a
rule skipped by the index could not have matched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leadflow.domain.configuration import All, Condition, Equals, In
from leadflow.domain.leads import ROUTABLE_FIELDS, RoutableLead
from leadflow.routing.conditions import normalised, text_of

Guard = tuple[str, frozenset[str]]
"""A plain field and the texts of it a lead must have for the rule to be able to match."""


@dataclass(frozen=True, slots=True)
class RuleIndex:
    field: str | None
    by_value: Mapping[str, tuple[int, ...]]
    """Positions (in priority order) of the rules to evaluate for a lead with this value."""
    otherwise: tuple[int, ...]
    """Positions for a lead whose value no guard names, or who has no value."""

    def positions(self, lead: RoutableLead) -> tuple[int, ...]:
        if self.field is None:
            return self.otherwise
        value = getattr(lead, self.field)
        if value is None:
            return self.otherwise
        return self.by_value.get(text_of(value), self.otherwise)


def build_index(conditions: Sequence[Condition | None]) -> RuleIndex:
    """Index rules given by their conditions, in priority order."""
    guards = [_guards(c) for c in conditions]
    field = _most_guarded_field(guards)
    every = tuple(range(len(conditions)))
    if field is None:
        return RuleIndex(None, {}, every)
    admitted = [g.get(field) for g in guards]
    otherwise = tuple(i for i in every if admitted[i] is None)
    values = {v for texts in admitted if texts is not None for v in texts}
    by_value = {value: tuple(i for i in every if _admits(admitted[i], value)) for value in values}
    return RuleIndex(field, by_value, otherwise)


def _admits(texts: frozenset[str] | None, value: str) -> bool:
    return texts is None or value in texts


def _guards(condition: Condition | None) -> dict[str, frozenset[str]]:
    """Fields a condition requires to have one of some values (top level and within `all`)."""
    if isinstance(condition, All):
        found: dict[str, frozenset[str]] = {}
        for child in condition.all:
            for field, texts in _guards(child).items():
                found[field] = found[field] & texts if field in found else texts
        return found
    if isinstance(condition, Equals) and condition.field in ROUTABLE_FIELDS:
        return {condition.field: frozenset({normalised(condition.field, condition.value)})}
    if isinstance(condition, In) and condition.field in ROUTABLE_FIELDS:
        return {
            condition.field: frozenset(normalised(condition.field, v) for v in condition.values)
        }
    return {}


def _most_guarded_field(guards: Sequence[Mapping[str, frozenset[str]]]) -> str | None:
    counts = Counter(field for g in guards for field in g)
    if not counts:
        return None
    return min(counts, key=lambda field: (-counts[field], field))
