"""Website forms: clinics' landing pages post here with a per-form key, no token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from leadflow.services import intake
from leadflow.web.api.leads import lead_response, read_payload, submission_of
from leadflow.web.api.schemas import LeadOut
from leadflow.web.deps import State, StoreDep

router = APIRouter(prefix="/api/v1", tags=["forms"])


@router.post(
    "/forms/{form_key}",
    status_code=201,
    response_model=LeadOut,
    summary="Submit a website form (form-encoded or JSON)",
    responses={403: {"description": "origin not allowed"}, 404: {"description": "unknown form"}},
)
async def submit_form(form_key: str, request: Request, db: StoreDep, state: State) -> Response:
    """Fields as in `POST /api/v1/leads`; unknown fields are kept under `custom`."""
    form = await intake.web_form(db, form_key)
    if form is None:
        raise HTTPException(404, f"unknown form {form_key!r}")
    origin = request.headers.get("origin")
    if form.allowed_origins and origin not in form.allowed_origins:
        raise HTTPException(403, f"origin {origin!r} is not allowed for form {form_key!r}")
    data = await read_payload(request, db, f"/api/v1/forms/{form_key}")
    submission = submission_of(intake.form_fields(data, defaults=form.defaults))
    await db.release()  # its own reads end: no connection held while its batch is stored
    result = await state.intake.ingest(submission)
    response = lead_response(LeadOut.of(result.lead, result.assignment), created=result.created)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
