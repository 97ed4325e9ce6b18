"""The data-quality scenario: the demo organisation, then a version in which Qualified starts
requiring the treatment and the travel month; leads already in that stage with and without them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from leadflow.domain.configuration import Configuration
from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.ui import add_lead

QUALIFIED = ["treatment", "travel_month"]
TRAVEL_MONTH = {"key": "travel_month", "name": "Travel month", "type": "month"}


async def with_requirement(
    store: Store,
    requires: dict[tuple[str, str], list[str]],
    *,
    at: datetime,
    escalate_after_hours: int | None = None,
) -> int:
    """A new active version whose stages require `requires[(pipeline, stage)]`, activated at
    `at` (the version's time is what the view reads)."""
    active = await store.configs.active()
    assert active is not None
    document = configuration.validate(active.document).model_dump(mode="json")
    for pipeline in document["pipelines"]:
        for stage in pipeline["stages"]:
            stage["requires"] = requires.get((pipeline["key"], stage["key"]), [])
    document["fields"] = [TRAVEL_MONTH]
    if escalate_after_hours is not None:
        document["workflow"]["escalate_missing_fields_after_hours"] = escalate_after_hours
    version = await configuration.apply(
        store, Configuration.model_validate(document), actor="test", comment="requirements"
    )
    await activated_at(store, version, at)
    return version


async def activated_at(store: Store, version: int, at: datetime) -> None:
    await store.session.execute(
        text("UPDATE config_versions SET created_at = :at WHERE id = :id"),
        {"at": at, "id": version},
    )


async def lead_in(
    store: Store,
    *,
    stage: str,
    entered: datetime,
    owner: str | None,
    pipeline: str = "hair-de",
    name: str = "Lena",
    closed: bool = False,
    **values: Any,
) -> int:
    """A lead that entered `stage` at `entered`; `values` are its columns and `custom`."""
    lead_id = await add_lead(
        store, received_at=entered - timedelta(days=1), owner=owner, pipeline=pipeline, name=name
    )
    lead = await store.leads.get(lead_id, for_update=True)
    assert lead is not None
    lead.stage_key = stage
    lead.stage_entered_at = entered
    lead.closed_at = entered if closed else None
    for key, value in values.items():
        setattr(lead, key, value)
    await store.session.flush()
    return lead_id


@dataclass(frozen=True)
class Gaps:
    """The scenario's leads (ids) and when the requirement appeared."""

    both_missing: int
    """Anna's, in Qualified since before the requirement: treatment and travel month missing."""
    blank_month: int
    """Elif's, entered Qualified after the requirement: a blank travel month."""
    complete: int
    """Anna's, with both: no gap."""
    elsewhere: int
    """Anna's, in Contacted (no requirement)."""
    closed: int
    """Anna's, closed in Qualified."""
    english: int
    """Sarah's (English team), in Qualified of hair-en, nothing set."""
    required_at: datetime
    version: int


async def qualified_gaps(store: Store, clock: Clock) -> Gaps:
    """The requirement appears three days before `clock.now`; the demo version ten days."""
    # The demo as it was before: no stage requires anything yet (the demo's own requirements
    # are dropped in a version ten days old).
    await with_requirement(store, {}, at=clock.now - timedelta(days=10))
    required_at = clock.now - timedelta(days=3)
    before, after = clock.now - timedelta(days=5), clock.now - timedelta(days=1)
    both_missing = await lead_in(
        store, stage="qualified", entered=before, owner="anna.schmidt", treatment=None
    )
    blank_month = await lead_in(
        store,
        stage="qualified",
        entered=after,
        owner="elif.kaya",
        name="Mia",
        treatment="hair_transplant",
        custom={"travel_month": "  "},
    )
    complete = await lead_in(
        store,
        stage="qualified",
        entered=before,
        owner="anna.schmidt",
        name="Jonas",
        treatment="hair_transplant",
        custom={"travel_month": "2026-09"},
    )
    elsewhere = await lead_in(
        store, stage="contacted", entered=before, owner="anna.schmidt", name="Paul"
    )
    closed = await lead_in(
        store, stage="qualified", entered=before, owner="anna.schmidt", name="Ida", closed=True
    )
    english = await lead_in(
        store,
        stage="qualified",
        entered=before,
        owner="sarah.jones",
        pipeline="hair-en",
        name="Amy",
        treatment=None,
    )
    requires = {("hair-de", "qualified"): QUALIFIED, ("hair-en", "qualified"): QUALIFIED}
    version = await with_requirement(store, requires, at=required_at)
    await store.commit()
    return Gaps(
        both_missing, blank_month, complete, elsewhere, closed, english, required_at, version
    )
