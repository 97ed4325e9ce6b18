"""Website forms: clinics' landing pages post here with a per-form key, no token.

Anyone on the internet can post here, so the answer is an acknowledgement and nothing else:
no stored field, no sign of whether the person was known before, no agent. The answer is the
same whether the lead is new or a retry of the same post (`external_id`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from leadflow.domain import web_forms as pages
from leadflow.identity import submission as submissions
from leadflow.services.intake import web_forms
from leadflow.services.intake.web_forms import FormLine, Refused
from leadflow.web.api.intake.leads import read_payload, submission_of
from leadflow.web.deps import State, StoreDep

router = APIRouter(prefix="/api/v1", tags=["forms"])


class FormReceipt(BaseModel):
    received: bool = True
    reference: str = Field(
        description="the submission's id within the form: the page's own `external_id` if it "
        "sent one (a retry with the same id is the same lead), else a new random one"
    )


_POST_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read; kept as a dead letter"},
    403: {"description": "origin not allowed (neither `Origin` nor `Referer` is allowed)"},
    404: {"description": "unknown or disabled form"},
    413: {"description": "body too large"},
    422: {"description": "a field is invalid; every bad field is named"},
    429: {"description": "too many posts from this address; see Retry-After"},
}


@router.post(
    "/forms/{form_key}",
    status_code=202,
    response_model=FormReceipt,
    summary="Submit a website form (form-encoded or JSON)",
    responses=_POST_ANSWERS,
)
async def submit_form(form_key: str, request: Request, db: StoreDep, state: State) -> Response:
    """Fields as in `POST /api/v1/leads` except `source`, `created_at` and `priority`, which
    the form's configuration sets, renamed by the form's field mapping; unknown fields are kept
    under `custom`. A post with the honeypot field filled is answered the same and stored as
    no lead. Refusals (origin, honeypot, rate) are counted on the form."""
    try:  # before any read: a flood costs no round trip but its count
        state.form_posts.check(request, "forms")
    except HTTPException:
        await _count(db, form_key, Refused.RATE)
        raise
    form = await _accepting(db, form_key)
    origin = _checked_origin(form, request)
    if origin is False:
        await _count(db, form_key, Refused.ORIGIN)
        raise HTTPException(403, "this origin is not allowed to post this form")
    data = await read_payload(request, db, f"/api/v1/forms/{form_key}", anonymous=True)
    if pages.is_spam(data):
        await _count(db, form_key, Refused.SPAM)
        return _receipt(uuid.uuid4().hex, origin)
    fields = submissions.form_fields(
        pages.mapped(data, form.field_map), form_key=form_key, defaults=form.defaults
    )
    submission = submission_of(fields)
    await db.release()  # its own reads end: no connection held while its batch is stored
    await state.intake.ingest(submission)
    return _receipt(submissions.form_reference(submission.external_id), origin)


@router.options("/forms/{form_key}", include_in_schema=False)
async def form_preflight(form_key: str, request: Request, db: StoreDep) -> Response:
    """CORS preflight of a page that posts with `fetch` (JSON): allowed origins only."""
    form = await _accepting(db, form_key)
    origin = _checked_origin(form, request)
    if not isinstance(origin, str):
        raise HTTPException(403, "this origin is not allowed to post this form")
    response = Response(status_code=204)
    response.headers.update(
        {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }
    )
    return response


async def _accepting(db: StoreDep, form_key: str) -> FormLine:
    form = await web_forms.accepting(db, form_key)
    if form is None:
        raise HTTPException(404, "unknown form")
    return form


def _checked_origin(form: FormLine, request: Request) -> str | bool | None:
    """The post's origin when the form allows it (None: no origin, none required); False
    when the form names its origins and this post's is not one of them."""
    origin = pages.request_origin(request.headers.get("origin"), request.headers.get("referer"))
    if not form.allowed_origins:
        return origin
    return origin if origin in form.allowed_origins else False


async def _count(db: StoreDep, form_key: str, why: Refused) -> None:
    await web_forms.count_refusal(db, form_key, why)
    await db.commit()


def _receipt(reference: str, origin: str | bool | None) -> Response:
    receipt = FormReceipt(reference=reference)
    response = Response(receipt.model_dump_json(), status_code=202, media_type="application/json")
    if isinstance(origin, str):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
