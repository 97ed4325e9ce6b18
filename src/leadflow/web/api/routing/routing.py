"""Decisions, "why not me?", manual reassignment and simulation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, Field

from leadflow.domain.configuration import Configuration
from leadflow.domain.storable import StorableText
from leadflow.domain.submission import LeadSubmission
from leadflow.services.access import scoping, trace_scope, trace_words
from leadflow.services.access.scoping import Role
from leadflow.services.assignment import decisions, simulation
from leadflow.services.configuration.versions import validate
from leadflow.services.work import lead_access
from leadflow.web.api.schemas import UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import LeadViewer, Now, Reader, Speaking, State, StoreDep, Worker
from leadflow.web.errors import NotFound
from leadflow.web.params import IsoDateTime, LeadId

router = APIRouter(prefix="/api/v1", tags=["routing"], responses={**UNAUTHENTICATED, **UNREADABLE})


class DecisionOut(BaseModel):
    lead_id: int
    owner: str | None
    routing_status: str
    trace: dict[str, Any] | None = Field(
        description="the latest engine decision, step by step: its sentences (`reason`, each "
        "exclusion's `message`) in the caller's language, beside their codes (`why`, `reason` "
        "of an exclusion, `params`, `detail`), which are the same in every language"
    )
    explanation: str | None = Field(
        default=None,
        description="the latest decision's account, a line each, in the caller's language "
        "(what `leadflow explain` prints)",
    )
    history: list[dict[str, Any]] = Field(description="every decision and change, oldest first")
    why_not: str | None = Field(
        default=None, description="answer for ?agent=KEY, in the caller's language"
    )
    why_not_reasons: list[dict[str, Any]] | None = Field(
        default=None,
        description="the same answer as reasons, one a line: a stable `code` and its `params` "
        "(a parameter may be a reason itself), for rendering in the reader's language",
    )


_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "the caller's role does not allow this, or their API token lacks the "
        "scope (named in the answer)"
    },
    404: {"description": "no such lead, or one outside the caller's teams"},
}


@router.get(
    "/leads/{lead_id}/decision",
    response_model=DecisionOut,
    summary="Why the lead went where it went",
    responses=_REFUSALS,
)
async def lead_decision(
    lead_id: LeadId,
    db: StoreDep,
    state: State,
    who: LeadViewer,
    locale: Speaking,
    agent: str | None = None,
) -> DecisionOut:
    """The decision trace; with `?agent=KEY`, also why that agent did not get the lead (a team
    lead asks about their teams' agents, an agent about themselves: others are answered 404).
    A team lead or agent sees other teams' agents, pipelines and rules unnamed, and other
    agents without status or score.

    Sentences are in the caller's language: a signed-in user's account language; for an API
    token, the `Accept-Language` header (`tr` or `en`, q-values honoured), English by default.
    """
    found = await decisions.decisions_of(db, lead_id)
    answer = None
    if agent is not None:
        if not await lead_access.sees_agent(db, state.organisation, who, agent):
            raise NotFound(f"agent {agent!r} is not in the active configuration")
        answer = await decisions.answer_why_not(db, state.organisation, lead_id, agent)
    configuration = (await state.organisation.get(db)).configuration
    scope = trace_scope.trace_scope(who, configuration)
    routing = found.routing
    trace = trace_scope.scoped_trace(routing.trace, scope, configuration) if routing else None
    zone = ZoneInfo(configuration.organisation.timezone)
    reasons = (
        None if answer is None
        else trace_scope.scoped_reasons(answer.reasons, scope, configuration)
    )  # fmt: skip
    return DecisionOut(
        lead_id=lead_id,
        owner=scope.agent(found.lead.owner_agent_key),
        routing_status=found.lead.routing_status,
        trace=None if trace is None else trace_words.worded(trace, locale),
        explanation=None if trace is None else trace_words.explanation(trace, locale, zone),
        history=_history(found, scope, configuration, locale),
        why_not=_why_not(answer, reasons, scope, configuration, locale),
        why_not_reasons=reasons,
    )


def _history(
    found: decisions.LeadDecisions,
    scope: trace_scope.TraceScope,
    configuration: Configuration,
    locale: str,
) -> list[dict[str, Any]]:
    """The lead's history for `scope`; the engine's reasons in the caller's language (a
    change's own words, typed or written when it was made, as they are)."""
    history = trace_scope.scoped_history(decisions.history_view(found), scope, configuration)
    for entry, row in zip(history, found.history, strict=True):
        why = None if row.reason else trace_scope.scoped_why(row.trace, scope, configuration)
        if why is not None:
            entry["reason"] = trace_words.said(why, locale)
    return history


def _why_not(
    answer: decisions.WhyNot | None,
    reasons: list[dict[str, Any]] | None,
    scope: trace_scope.TraceScope,
    configuration: Configuration,
    locale: str,
) -> str | None:
    if answer is None or reasons is None:
        return None
    if not answer.reasons:  # not routed yet: a sentence without a code
        return trace_scope.scoped_text(answer.text, scope, configuration)
    moved = None if answer.reassigned_to is None else scope.agent(answer.reassigned_to)
    return trace_words.why_not_text(reasons, moved, locale)


class ReassignIn(BaseModel):
    agent: StorableText = Field(min_length=1, max_length=64, description="key of the new owner")
    reason: StorableText = Field(min_length=3, max_length=500)
    actor: StorableText | None = Field(
        max_length=200,
        default=None,
        description="who decided, for integrations (default: the API token); "
        "a signed-in user is always the actor themselves",
    )


class ReassignedOut(BaseModel):
    lead_id: int
    owner: str
    decision_id: int


@router.post(
    "/leads/{lead_id}/reassign",
    response_model=ReassignedOut,
    summary="Give a lead to another agent (admin, manager; a team lead within their teams)",
    responses=_REFUSALS,
)
async def reassign_lead(
    lead_id: LeadId, body: ReassignIn, db: StoreDep, state: State, now: Now, who: Worker
) -> ReassignedOut:
    """A team lead moves a lead of their teams (owned by one of their agents, or queued for one of
    their pipelines) to one of their agents; agents cannot reassign."""
    await lead_access.check_reassign(db, state.organisation, who, lead_id, body.agent)
    organisation = await state.organisation.get(db)
    actor = body.actor if who.role is Role.INTEGRATION and body.actor else who.actor
    decision_id = await decisions.reassign(
        db,
        organisation,
        lead_id,
        agent=body.agent,
        actor=actor,
        reason=body.reason,
        now=now,
    )
    await db.commit()
    return ReassignedOut(lead_id=lead_id, owner=body.agent, decision_id=decision_id)


class SimulateIn(BaseModel):
    lead: LeadSubmission
    at: IsoDateTime | None = Field(default=None, description="moment to route at (default now)")
    configuration: dict[str, Any] | None = Field(
        default=None, description="a draft configuration document; default the live one"
    )


@router.post(
    "/simulate",
    summary="Route one lead without side effects (admin, manager, team lead; drafts: admin, "
    "manager)",
    responses={403: _REFUSALS[403]},
)
async def simulate(
    body: SimulateIn, db: StoreDep, state: State, now: Now, who: Reader, locale: Speaking
) -> dict[str, Any]:
    """Nothing is stored and no counter moves: the answer is what would happen. A draft
    configuration covers every team, so team leads simulate against the live one only, and see
    other teams' agents, pipelines and rules unnamed (as in a lead's decision). The
    `explanation` and the trace's sentences are in the caller's language (as in a lead's
    decision); codes and parameters are the same in every language."""
    draft_given = body.configuration is not None
    scoping.require(scoping.can_simulate_lead(who, draft=draft_given), "simulating a lead")
    draft = validate(body.configuration) if body.configuration is not None else None
    decision = await simulation.simulate_lead(
        db,
        state.organisation,
        body.lead,
        at=body.at or now,
        draft=draft,
        threshold=state.settings.language_confidence,
    )
    configuration = draft or (await state.organisation.get(db)).configuration
    return trace_words.simulated(decision, who, configuration, locale)
