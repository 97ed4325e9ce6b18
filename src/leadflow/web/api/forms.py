"""Website forms: clinics' landing pages post here with a per-form key, no token.

Anyone on the internet can post here, so the answer is an acknowledgement and nothing else:
no stored field, no sign of whether the person was known before, no agent. The answer is the
same whether the lead is new or a retry of the same post (`external_id`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from leadflow.identity import submission as submissions
from leadflow.services.intake import ingest as intake
from leadflow.web.api.leads import read_payload, submission_of
from leadflow.web.deps import FormPoster, State, StoreDep

router = APIRouter(prefix="/api/v1", tags=["forms"])


class FormReceipt(BaseModel):
    received: bool = True
    reference: str = Field(
        description="the submission's id within the form: the page's own `external_id` if it "
        "sent one (a retry with the same id is the same lead), else a new random one"
    )


@router.post(
    "/forms/{form_key}",
    status_code=202,
    response_model=FormReceipt,
    summary="Submit a website form (form-encoded or JSON)",
    responses={
        400: {"description": "the body cannot be read; kept as a dead letter"},
        403: {"description": "origin not allowed"},
        404: {"description": "unknown form"},
        413: {"description": "body too large"},
        422: {"description": "a field is invalid; every bad field is named"},
        429: {"description": "too many posts from this address; see Retry-After"},
    },
)
async def submit_form(
    form_key: str, request: Request, db: StoreDep, state: State, _: FormPoster
) -> Response:
    """Fields as in `POST /api/v1/leads` except `source`, `created_at` and `priority`, which
    the form's configuration sets; unknown fields are kept under `custom`."""
    form = await intake.web_form(db, form_key)
    if form is None:
        raise HTTPException(404, "unknown form")
    origin = request.headers.get("origin")
    if form.allowed_origins and origin not in form.allowed_origins:
        raise HTTPException(403, "this origin is not allowed to post this form")
    data = await read_payload(request, db, f"/api/v1/forms/{form_key}", anonymous=True)
    fields = submissions.form_fields(data, form_key=form_key, defaults=form.defaults)
    submission = submission_of(fields)
    await db.release()  # its own reads end: no connection held while its batch is stored
    await state.intake.ingest(submission)
    receipt = FormReceipt(reference=submissions.form_reference(submission.external_id))
    response = Response(receipt.model_dump_json(), status_code=202, media_type="application/json")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
