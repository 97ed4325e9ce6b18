"""The pipeline board: a pipeline's stages as columns and its open leads as cards, filtered by
owner and team. A card dragged to another column (board.js), or sent with its "Move to…" form,
is moved by the stage move service; a refused move opens a prompt for exactly what the stage
still needs, in place, and is sent again with it.

Requests from the board's script carry `HX-Request` and get fragments back: the columns after
a move, the prompt (422) after a refusal. Without the script the forms post as usual: a moved
lead redirects back to the board, a refused one shows the board with the prompt open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_timedelta
from fastapi import HTTPException
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from leadflow.domain.configuration import Stage
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.workflow import board
from leadflow.services.workflow.board import Filters, UnknownFilter, UnknownPipeline
from leadflow.web.params import BIGINT_MAX
from leadflow.web.ui.board.prompt import Prompt, prompt
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.routers import page_router
from leadflow.web.ui.shell.vocabulary import label_key

router = page_router("/board")

FILTER_LABELS = {"owner": N_("Owner"), "team": N_("Team")}


@contextmanager
def _missing_is_404() -> Iterator[None]:
    """A pipeline or lead that does not exist (or, for a lead, that the viewer may not see)."""
    try:
        yield
    except (UnknownPipeline, UnknownLead) as exc:
        raise HTTPException(404) from exc


def stage_label(page: Page, stage: Stage) -> str:
    """A stage's configured name, else the word for its key (translated when it is ours)."""
    return stage.name or page.gettext(label_key("stage", stage.key))


def _is_fragment(page: Page) -> bool:
    return bool(page.request.headers.get("hx-request"))


def _filters(owner: str, team: str) -> Filters:
    return Filters(owner.strip() or None, team.strip() or None)


def _query(filters: Filters) -> str:
    """`?owner=…&team=…` for the filters chosen ("" for none)."""
    values = {"owner": filters.owner or "", "team": filters.team or ""}
    text = urlencode({name: value for name, value in values.items() if value})
    return f"?{text}" if text else ""


async def _words(page: Page, key: str, filters: Filters) -> dict[str, Any]:
    """What the board's templates use: its pipeline and filters, and the words for stages,
    owners and times."""
    configuration = await page.configuration()
    locale = Locale.parse(page.locale)  # once: a board words hundreds of spans

    def since(moment: datetime) -> str:
        return format_timedelta(page.now - moment, format="short", locale=locale)

    return {
        "board_key": key,
        "filters": filters,
        "query": _query(filters),
        "stage_label": lambda stage: stage_label(page, stage),
        "since": since,
        "agent_names": {a.key: a.name for a in configuration.agents},
    }


async def _render(
    page: Page,
    key: str,
    filters: Filters,
    *,
    status: int = 200,
    problem: tuple[str, str] | None = None,
    shown_prompt: Prompt | None = None,
) -> Response:
    """The board page (or, for the board's script, its columns)."""
    configuration = await page.configuration()
    with _missing_is_404():
        chosen = await board.board(
            page.store, configuration, page.viewer, key, filters, now=page.now
        )
    words = await _words(page, key, filters)
    words["stage_options"] = [(s.key, stage_label(page, s)) for s in chosen.pipeline.stages]
    if _is_fragment(page) and shown_prompt is None:
        return page.render("board/columns.html", status=status, board=chosen, **words)
    return page.render(
        "board/board.html",
        status=status,
        section="board",
        board=chosen,
        pipelines=board.pipelines(page.viewer, configuration),
        problem=problem,
        filter_labels=FILTER_LABELS,
        prompt=shown_prompt,
        **words,
    )


@router.get("")
async def board_home(
    page: PageDep, pipeline: str = "", owner: str = "", team: str = ""
) -> Response:
    """The board of `pipeline` (the pipeline chooser's form), else the first the viewer has."""
    configuration = await page.configuration()
    found = board.pipelines(page.viewer, configuration)
    key = pipeline or (found[0].key if found else "")
    if not key:
        return page.render("board/board.html", section="board", board=None, pipelines=[])
    return RedirectResponse(f"/board/{key}{_query(_filters(owner, team))}", status_code=303)


@router.get("/{key}")
async def board_page(page: PageDep, key: str, owner: str = "", team: str = "") -> Response:
    """Filters the viewer may not use show the unfiltered board, naming the field (422)."""
    try:
        return await _render(page, key, _filters(owner, team))
    except UnknownFilter as error:
        problem = (error.field, N_("Choose one of the options."))
        return await _render(page, key, Filters(), status=422, problem=problem)


def _sent_fields(sent: FormData) -> dict[str, str]:
    """The workflow fields typed into a prompt (`field.<name>`), by name."""
    return {
        name.removeprefix("field."): value
        for name, value in sent.multi_items()
        if name.startswith("field.") and isinstance(value, str)
    }


def _lead_id(sent: FormData) -> int:
    """The lead to move; anything but a lead id is a lead that is not on the board (404)."""
    text = str(sent.get("lead_id", ""))
    if not text.isdigit() or not 1 <= int(text) <= BIGINT_MAX:
        raise HTTPException(404)
    return int(text)


@router.post("/{key}/move")
async def move(page: PageDep, key: str) -> Response:
    sent = await page.request.form()
    organisation = await page.state.organisation.get(page.store)
    filters = _filters(str(sent.get("owner", "")), str(sent.get("team", "")))
    try:
        board.check_filters(page.viewer, organisation.configuration, filters)
    except UnknownFilter:
        filters = Filters()  # the board comes back unfiltered; the move is what was asked
    lead_id, to_stage = _lead_id(sent), str(sent.get("to_stage", ""))
    reason = str(sent.get("lost_reason", "")).strip()
    values = _sent_fields(sent)
    try:
        with _missing_is_404():
            moved = await board.move(
                page.store, organisation, page.viewer, key, lead_id, to_stage,
                lost_reason=reason or None, fields=values, now=page.now,
            )  # fmt: skip
    except board.Refused as refused:
        await page.store.rollback()  # nothing of a refused move is kept
        pipeline = board.pipeline_of(page.viewer, organisation.configuration, key)
        shown = prompt(organisation.configuration, pipeline, refused, values, reason)
        return await _refused(page, key, filters, shown)
    await page.store.commit()
    name, stage = moved.name or f"#{lead_id}", stage_label(page, moved.stage)
    page.flash(page.gettext("%(name)s moved to %(stage)s.", name=name, stage=stage))
    if _is_fragment(page):
        return await _render(page, key, filters)
    return RedirectResponse(f"/board/{key}{_query(filters)}", status_code=303)


async def _refused(page: Page, key: str, filters: Filters, shown: Prompt) -> Response:
    """The prompt (for the board's script), or the board with the prompt open."""
    if _is_fragment(page):
        words = await _words(page, key, filters)
        return page.render("board/prompt.html", status=422, prompt=shown, **words)
    return await _render(page, key, filters, status=422, shown_prompt=shown)
