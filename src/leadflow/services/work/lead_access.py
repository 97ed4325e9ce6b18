"""The scoping rules applied to stored leads: which lead a viewer may open or move.

A lead outside the viewer's scope is answered exactly like a lead that does not exist
(`UnknownLead`, 404), so its existence does not leak. Viewers who see every lead cost no
look-up: the endpoint answers a missing lead itself, as it did before scoping.
"""

from __future__ import annotations

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Forbidden, Viewer
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead


async def _visible(
    store: Store, live: LiveOrganisation, viewer: Viewer, lead_id: int
) -> tuple[Lead, Configuration]:
    lead = await store.leads.get(lead_id)
    configuration = (await live.get(store)).configuration
    if lead is None or not scoping.can_see_lead(
        viewer, configuration, owner=lead.owner_agent_key, pipeline=lead.pipeline_key
    ):
        raise UnknownLead(lead_id)
    return lead, configuration


async def check_visible(store: Store, live: LiveOrganisation, viewer: Viewer, lead_id: int) -> None:
    """Raise `UnknownLead` unless the viewer may see the lead."""
    if not scoping.sees_everything(viewer):
        await _visible(store, live, viewer, lead_id)


async def sees_agent(store: Store, live: LiveOrganisation, viewer: Viewer, agent_key: str) -> bool:
    """Whether the viewer sees the agent `agent_key`; no look-up for those who see everyone."""
    if scoping.sees_everything(viewer):
        return True
    configuration = (await live.get(store)).configuration
    return scoping.can_see_agent_key(viewer, configuration, agent_key)


async def check_reassign(
    store: Store, live: LiveOrganisation, viewer: Viewer, lead_id: int, to_agent: str
) -> None:
    """`UnknownLead` for a lead the viewer cannot see; `Forbidden` for a move outside
    their teams."""
    if scoping.sees_everything(viewer):
        return
    lead, configuration = await _visible(store, live, viewer, lead_id)
    allowed = scoping.can_reassign_lead(
        viewer,
        configuration,
        owner=lead.owner_agent_key,
        pipeline=lead.pipeline_key,
        to_agent=to_agent,
    )
    if not allowed:
        raise Forbidden(f"moving lead {lead_id} to agent {to_agent!r}")
