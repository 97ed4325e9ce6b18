"""Agents over HTTP: list, read, create and change one agent of the configuration.

Each write is a new configuration version with its audit entry (the token or user as actor),
saved the way the configuration screens save. `ETag` is the configuration version an answer was
read from; a write sent with `If-Match` is refused (409) when another version is active by then.

Who: reading as the agents screen shows them (a team lead their teams', an agent themselves);
writing: administrators, team leads for their teams' agents, and integrations whose token holds
the `configuration` scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain.configuration import Agent, AgentKind, AgentStatus, Configuration, Tier
from leadflow.domain.configuration.schedules import Schedule
from leadflow.domain.storable import StorableText
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Scope, Viewer
from leadflow.services.configuration import agent_changes
from leadflow.services.configuration.agent_changes import AgentChange
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.configuration.versions import document_of, validate
from leadflow.storage.store import Store
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import MaybeOrgDep, Reader, StoreDep, permitted
from leadflow.web.errors import NotFound
from leadflow.web.params import INTEGER_MAX

router = APIRouter(
    prefix="/api/v1/agents",
    tags=["agents"],
    responses={**UNAUTHENTICATED, **NOT_FOUND, **UNREADABLE},
)

Changer = Annotated[
    Viewer,
    Depends(permitted(scoping.can_change_agents, "changing agents", Scope.CONFIGURATION)),
]

AgentKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", max_length=64)]
Language = Annotated[
    str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code in lower case, e.g. de")
]
Skill = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", max_length=64)]
Cap = Annotated[int | None, Field(default=None, ge=0, le=INTEGER_MAX)]
Weight = Annotated[int, Field(ge=0, le=1000)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
TimeZoneText = Annotated[
    str, Field(min_length=1, max_length=64, description="IANA name, e.g. Europe/Istanbul")
]


class CapsIn(BaseModel):
    """New leads per day, week, month (in the agent's time zone) and open leads at once; null:
    no cap."""

    model_config = ConfigDict(extra="forbid")
    day: Cap = None
    week: Cap = None
    month: Cap = None
    open: Cap = None


class AgentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StorableText | None = Field(default=None, min_length=1, max_length=200)
    email: Email | None = None
    team: AgentKey | None = Field(default=None, description="key of a team")
    kind: AgentKind | None = None
    status: AgentStatus | None = Field(default=None, description="`left`: the agent has left")
    languages: list[Language] | None = Field(default=None, max_length=30)
    skills: list[Skill] | None = Field(default=None, max_length=100)
    tier: Tier | None = None
    timezone: TimeZoneText | None = None
    caps: CapsIn | None = None
    schedule: Schedule | None = Field(
        default=None,
        description="weekly shifts, overrides and leave (a change replaces the parts it sends)",
    )
    started_on: date | None = Field(
        default=None, description="ramp-up: the agent gets no leads before this day"
    )
    backup: AgentKey | None = Field(default=None, description="key of the agent who covers")
    pools: dict[AgentKey, Weight | None] | None = Field(
        default=None,
        max_length=100,
        description="pipeline key → the agent's weight in its pool (null: out of that pool)",
    )


class AgentIn(AgentFields):
    key: AgentKey
    name: StorableText = Field(min_length=1, max_length=200)
    team: AgentKey = Field(description="key of a team")
    pools: dict[AgentKey, Weight | None] | None = Field(
        default=None, max_length=100, description="pipeline key → the agent's weight in its pool"
    )


class AgentOut(BaseModel):
    version: int = Field(description="the configuration version this answer was read from")
    agent: dict[str, Any] = Field(description="the agent as the configuration holds it")
    pools: dict[str, int] = Field(description="pipeline key → the agent's weight in its pool")


class AgentsOut(BaseModel):
    version: int | None = Field(description="the active configuration version; null: none yet")
    agents: list[AgentOut]


_WRITE_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "managers and agents; a team lead for another team's agent, team or "
        "pool; an API token without the `configuration` scope"
    },
    409: {
        "description": "`If-Match` names another version than the active one (the answer "
        "gives `active_version`), or no configuration is active yet"
    },
    422: {
        "description": "each problem names its field: an unknown team, pipeline or backup, a "
        "key that exists already, a language code, a time zone, a cap below zero"
    },
}
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def _shown(configuration: Configuration, agent: Agent, version: int) -> AgentOut:
    return AgentOut(
        version=version,
        agent=agent.model_dump(mode="json"),
        pools=agent_changes.pools_of(configuration, agent.key),
    )


def _tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def _active(organisation: Organisation | None) -> Organisation:
    if organisation is None:
        raise HTTPException(409, "no configuration is active yet: apply one first")
    return organisation


def _base_version(organisation: Organisation, if_match: str | None) -> int:
    """The version a write is based on: the one `If-Match` names, else the active one."""
    if if_match is None:
        return organisation.version
    found = _IF_MATCH.match(if_match)
    if found is None or int(found.group(1)) > INTEGER_MAX:
        problem = {
            "loc": ["header", "If-Match"],
            "msg": 'a configuration version as given in ETag, e.g. "12"',
            "type": "value_error",
        }
        raise HTTPException(422, [problem])
    return int(found.group(1))


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="the configuration version (`ETag`) the change is based on",
        max_length=40,
    ),
]


@dataclass(frozen=True)
class Write:
    """What every write starts from: the active organisation and the version it is based on."""

    db: Store
    who: Viewer
    live: Organisation
    base_version: int


async def write(
    db: StoreDep, organisation: MaybeOrgDep, who: Changer, if_match: IfMatch = None
) -> Write:
    live = _active(organisation)
    return Write(db, who, live, _base_version(live, if_match))


WriteDep = Annotated[Write, Depends(write)]


@router.get("", summary="The agents of the active configuration the caller sees")
async def list_agents(
    organisation: MaybeOrgDep, who: Reader, response: Response, team: str | None = None
) -> AgentsOut:
    if organisation is None:
        return AgentsOut(version=None, agents=[])
    configuration, version = organisation.configuration, organisation.version
    _tagged(response, version)
    agents = scoping.visible_agents(who, configuration.agents)
    return AgentsOut(
        version=version,
        agents=[
            _shown(configuration, agent, version)
            for agent in agents
            if team is None or agent.team == team
        ],
    )


def _visible(organisation: Organisation | None, who: Viewer, key: str) -> Agent:
    agent = (
        agent_changes.find(organisation.configuration, key) if organisation is not None else None
    )
    if agent is None or not scoping.can_see_agent(who, agent):
        raise NotFound(f"agent {key!r} is not in the active configuration")
    return agent


@router.get("/{agent_key}", summary="One agent, with the pools they are in")
async def get_agent(
    agent_key: str, organisation: MaybeOrgDep, who: Reader, response: Response
) -> AgentOut:
    agent = _visible(organisation, who, agent_key)
    live = _active(organisation)
    _tagged(response, live.version)
    return _shown(live.configuration, agent, live.version)


@router.post(
    "",
    status_code=201,
    summary="Add an agent: a new configuration version (admin, integration; a team lead for "
    "their teams)",
    responses=_WRITE_REFUSALS,
)
async def create_agent(body: AgentIn, write: WriteDep, response: Response) -> AgentOut:
    """Without `schedule` the agent works Monday to Friday 09:00-18:00 in their time zone."""
    fields = body.model_dump(mode="json", exclude_none=True, exclude={"pools"})
    change = AgentChange(fields, dict(body.pools or {}))
    version = await agent_changes.create(
        write.db, write.who, write.live.configuration, change, base_version=write.base_version
    )
    await write.db.commit()
    return await _answer(write.db, response, body.key, version)


@router.patch(
    "/{agent_key}",
    summary="Change an agent's fields: a new configuration version (admin, integration; a team "
    "lead for their teams); fields left out are kept, null clears one",
    responses=_WRITE_REFUSALS,
)
async def change_agent(
    agent_key: str, body: AgentFields, write: WriteDep, response: Response
) -> AgentOut:
    """Sending no change answers the agent as they are, without a new version."""
    live = write.live
    _visible(live, write.who, agent_key)
    fields = body.model_dump(mode="json", exclude_unset=True, exclude={"pools"})
    if body.caps is not None:
        fields["caps"] = body.caps.model_dump(mode="json", exclude_unset=True)
    if body.schedule is not None:
        fields["schedule"] = body.schedule.model_dump(mode="json", exclude_unset=True)
    change = AgentChange(fields, dict(body.pools or {}))
    version = await agent_changes.change(
        write.db, write.who, live.configuration, agent_key, change,
        base_version=write.base_version,
    )  # fmt: skip
    await write.db.commit()
    return await _answer(write.db, response, agent_key, version or live.version)


async def _answer(db: Store, response: Response, key: str, version: int) -> AgentOut:
    configuration = validate(await document_of(db, version))
    agent = agent_changes.find(configuration, key)
    assert agent is not None
    _tagged(response, version)
    return _shown(configuration, agent, version)
