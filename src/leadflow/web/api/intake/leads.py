"""Lead intake (integrations and admins) and look-up (anyone who may see the lead)."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter, HTTPException, Request, Response

from leadflow.domain.submission import LeadSubmission
from leadflow.identity import submission as submissions
from leadflow.services.intake import deadletters
from leadflow.services.intake import ingest as intake
from leadflow.services.intake.payloads import UnreadablePayload, parse_body
from leadflow.storage.store import Store, open_store
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, DeadLetterOut, LeadOut
from leadflow.web.deps import LeadSubmitter, LeadViewer, Speaking, State, StoreDep
from leadflow.web.errors import NotFound
from leadflow.web.params import LeadId

router = APIRouter(prefix="/api/v1", tags=["leads"], responses={**UNAUTHENTICATED, **NOT_FOUND})

_LEAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": LeadSubmission.model_json_schema()}},
    }
}


async def read_payload(
    request: Request, db: StoreDep, endpoint: str, *, anonymous: bool = False
) -> dict[str, Any]:
    """The parsed body; an unreadable one is kept as a dead letter and answered with 400 (with
    its number, except to an anonymous caller: the numbers would count everyone's)."""
    body = await request.body()
    try:
        return parse_body(request.headers.get("content-type"), body)
    except UnreadablePayload as exc:
        await _dead_letter(request, db, endpoint, body, exc, anonymous=anonymous)


async def _dead_letter(
    request: Request,
    db: Store,
    endpoint: str,
    body: bytes,
    unreadable: UnreadablePayload,
    *,
    anonymous: bool = False,
) -> NoReturn:
    letter = await deadletters.keep(
        db, endpoint=endpoint, headers=dict(request.headers), body=body, reason=unreadable.reason
    )
    await db.commit()
    if anonymous:
        raise HTTPException(400, {"reason": unreadable.reason}) from None
    detail = DeadLetterOut(dead_letter_id=letter, reason=unreadable.reason)
    raise HTTPException(400, detail.model_dump()) from None


def submission_of(data: dict[str, Any]) -> LeadSubmission:
    return submissions.parse_submission(data)


@router.post(
    "/leads",
    status_code=201,
    response_model=LeadOut,
    openapi_extra=_LEAD_BODY,
    summary="Submit a lead",
    responses={
        200: {"description": "the same (source, external_id) was sent before: the original"},
        400: {"description": "body is not valid JSON; kept as a dead letter"},
        422: {"description": "a field is invalid; every bad field is named"},
    },
)
async def submit_lead(request: Request, state: State, submitter: LeadSubmitter) -> Response:
    """Normalise, deduplicate and route one lead. Idempotent on `(source, external_id)`."""
    body = await request.body()
    try:
        data = parse_body(request.headers.get("content-type"), body)
    except UnreadablePayload as exc:  # no Store per request: only a dead letter needs one
        async with open_store(state.database) as db:
            await _dead_letter(request, db, "/api/v1/leads", body, exc)
    result = await state.intake.ingest(submission_of(data))
    answer = LeadOut.of(result.lead, result.assignment, submitter.locale)
    return lead_response(answer, created=result.created)


def lead_response(lead: LeadOut, *, created: bool) -> Response:
    """The answer to a submitted lead, serialised once: returned as a model, FastAPI would
    validate it again against `response_model` first (3% of intake's CPU)."""
    return Response(
        lead.model_dump_json(), status_code=201 if created else 200, media_type="application/json"
    )


@router.get("/leads/{lead_id}", response_model=LeadOut, summary="A lead with its assignment")
async def get_lead(
    lead_id: LeadId, db: StoreDep, state: State, _: LeadViewer, locale: Speaking
) -> LeadOut:
    found = await intake.lead_with_assignment(db, lead_id, state.organisation)
    if found is None:
        raise NotFound(f"lead {lead_id} does not exist")
    return LeadOut.of(*found, locale)
