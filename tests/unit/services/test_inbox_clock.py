"""The inbox's first-contact countdown runs on the same working time that set the deadline:
right after assignment it shows exactly the pipeline's SLA minutes, by day and by night."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest

from leadflow.demo import organisation_yaml
from leadflow.services.configuration.organisation import Organisation, compile_organisation
from leadflow.services.configuration.versions import parse_yaml
from leadflow.services.work.inbox import SlaState, sla_clock

TUESDAY_NOON_BERLIN = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
WEDNESDAY_3AM_BERLIN = datetime(2026, 5, 13, 1, 0, tzinfo=UTC)


@functools.cache
def demo() -> Organisation:
    return compile_organisation(1, parse_yaml(organisation_yaml(), "organisation.yaml"))


@pytest.mark.parametrize(
    ("pipeline", "now", "state"),
    [
        # Business hours 08:00-22:00 in Berlin.
        ("hair-de", TUESDAY_NOON_BERLIN, SlaState.RUNNING),
        ("hair-de", WEDNESDAY_3AM_BERLIN, SlaState.PAUSED),
        # No business hours: the clock runs while someone of the pool works.
        ("dental-de", TUESDAY_NOON_BERLIN, SlaState.RUNNING),
        ("dental-de", WEDNESDAY_3AM_BERLIN, SlaState.PAUSED),
    ],
)
def test_a_fresh_lead_has_its_whole_sla_left(pipeline: str, now: datetime, state: SlaState) -> None:
    organisation = demo()
    due = organisation.sla_due(pipeline, now)
    clock = sla_clock(organisation, pipeline=pipeline, due=due, contacted=None, now=now)
    minutes = organisation.configuration.pipeline(pipeline).sla.first_contact_minutes
    assert (clock.state, clock.left_s) == (state, minutes * 60)


def test_the_clock_keeps_running_until_the_deadline() -> None:
    organisation = demo()
    due = organisation.sla_due("hair-de", TUESDAY_NOON_BERLIN)
    assert due is not None
    later = TUESDAY_NOON_BERLIN + timedelta(minutes=4)
    clock = sla_clock(organisation, pipeline="hair-de", due=due, contacted=None, now=later)
    assert (clock.state, clock.left_s) == (SlaState.RUNNING, 6 * 60)
    at_due = sla_clock(organisation, pipeline="hair-de", due=due, contacted=None, now=due)
    assert (at_due.state, at_due.left_s) == (SlaState.OVERDUE, 0)


def test_a_contacted_lead_or_one_without_deadline_has_no_countdown() -> None:
    organisation = demo()
    now = TUESDAY_NOON_BERLIN
    contacted = sla_clock(organisation, pipeline="hair-de", due=now, contacted=now, now=now)
    assert (contacted.state, contacted.left_s) == (SlaState.CONTACTED, None)
    none = sla_clock(organisation, pipeline="hair-de", due=None, contacted=None, now=now)
    assert none.state is SlaState.NONE
    unknown = sla_clock(
        organisation, pipeline=None, due=now + timedelta(minutes=3), contacted=None, now=now
    )
    assert (unknown.state, unknown.left_s) == (SlaState.RUNNING, 180)
