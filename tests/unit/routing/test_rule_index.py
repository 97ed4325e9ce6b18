from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.domain.configuration import All, AnyOf, Condition, Equals, In, NotIn, Range
from leadflow.routing import compile_config, route
from leadflow.routing.rule_index import RuleIndex

from .factories import (
    NOW,
    make_agent,
    make_config,
    make_lead,
    make_pipeline,
    make_roster,
    make_rule,
)

LANGUAGES = ["de", "en", "tr", "DE"]
TREATMENTS = ["hair", "dental", "Eye"]

leaves = st.one_of(
    st.builds(lambda v: Equals(field="language", op="equals", value=v), st.sampled_from(LANGUAGES)),
    st.builds(
        lambda vs: In(field="treatment", op="in", values=vs),
        st.lists(st.sampled_from(TREATMENTS), min_size=1, max_size=2),
    ),
    st.builds(
        lambda v: NotIn(field="language", op="not_in", values=[v]), st.sampled_from(LANGUAGES)
    ),
    st.builds(lambda low: Range(field="score", op="range", min=low), st.integers(0, 100)),
)
conditions: st.SearchStrategy[Condition] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda cs: All(all=cs), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: AnyOf(any=cs), st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(
    whens=st.lists(st.none() | conditions, min_size=1, max_size=8),
    leads=st.lists(
        st.tuples(
            st.none() | st.sampled_from(LANGUAGES),
            st.none() | st.sampled_from(TREATMENTS),
            st.none() | st.integers(0, 100),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_the_rule_index_finds_the_same_rule_as_checking_every_rule_in_order(
    whens: list[Condition | None], leads: list[tuple[str | None, str | None, int | None]]
) -> None:
    config = compile_config(
        make_config(
            agents=[make_agent("anna")],
            pipelines=[make_pipeline(f"p{i}", ["anna"]) for i in range(len(whens))],
            rules=[make_rule(f"r{i}", f"p{i}", when=when) for i, when in enumerate(whens)],
        )
    )
    every_rule = replace(config, index=RuleIndex(None, {}, tuple(range(len(config.rules)))))
    for language, treatment, score in leads:
        lead = make_lead(language=language, treatment=treatment, score=score)
        indexed = route(lead, make_roster(), config, NOW)
        checked = route(lead, make_roster(), every_rule, NOW)
        assert indexed == checked


def test_the_index_keys_on_the_field_most_rules_require() -> None:
    config = compile_config(
        make_config(
            agents=[make_agent("anna")],
            pipelines=[make_pipeline("main", ["anna"])],
            rules=[
                make_rule("a", "main", when=Equals(field="treatment", op="equals", value="Hair")),
                make_rule("b", "main", when=In(field="treatment", op="in", values=["dental"])),
                make_rule("c", "main", when=Equals(field="language", op="equals", value="de")),
                make_rule("d", "main"),
            ],
        )
    )
    assert config.index.field == "treatment"
    assert config.index.positions(make_lead(treatment="HAIR")) == (0, 2, 3)
    assert config.index.positions(make_lead(treatment="eye")) == (2, 3)
    assert config.index.positions(make_lead()) == (2, 3)
