"""The FastAPI application: JSON API (OpenAPI at /docs) and, later, the pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from leadflow import __version__
from leadflow.config import Settings
from leadflow.jobs import worker as jobs
from leadflow.observability import configure_logging
from leadflow.services.delivery import live
from leadflow.storage.database import Database
from leadflow.web import errors, hooks, limits
from leadflow.web.api.intake import connectors, forms, leads, web_forms
from leadflow.web.api.leads import lead_list, quality, tasks, whatsapp, work, workflow
from leadflow.web.api.routing import agents, configuration, replays, routing
from leadflow.web.api.system import docs, events, system
from leadflow.web.deps import AppState, system_clock, warm_up
from leadflow.web.stalls import StallWatch
from leadflow.web.ui import site

DESCRIPTION = """
Leadflow takes every inbound lead, normalises and deduplicates it, and routes it to the right
sales representative within a second, with every decision explained.

Integrations authenticate with `Authorization: Bearer <token>` (create one with
`leadflow token create NAME --scope intake --scope read`). Website forms post to
`/api/v1/forms/{form_key}` without a token.

A token holds scopes; a call its token lacks the scope for is answered 403 naming the scope.
A new token holds `intake` only unless more are asked for.

- `intake`: `POST /api/v1/leads`.
- `read`: reading leads, decisions, activities, tasks, the queue, the roster, availability and
  an agent's live events; `POST /api/v1/simulate` (it changes nothing).
- `work`: recording activities on a lead, moving its stage, reassigning it, creating and
  closing its tasks (what a CRM or a virtual consultant does).
- `configuration`: `/api/v1/config`: reading, applying, diffing and rolling back the
  configuration; `/api/v1/web-forms`: the website forms (key, allowed origins, field mapping,
  embed snippet, refused posts).

A signed-in user (session cookie) holds every scope; their role limits what they see and do.

Sentences about a routing decision (`explanation`, a trace's `reason`, an exclusion's
`message`, `why_not`, `assignment.reason`) are written in the caller's language: a signed-in
user's account language; for a token, the `Accept-Language` header (`tr` or `en`, by q-value,
e.g. `Accept-Language: tr-TR, en;q=0.5`); English otherwise. The codes and parameters beside
them (`why`, an exclusion's `reason`, `params` and `detail`, `why_not_reasons`) are the same in
every language.
"""


def _document_components(app: FastAPI, components: dict[str, Any]) -> None:
    """Add schemas that request bodies declared by hand refer to (`openapi_extra`): FastAPI
    collects only the models of the parameters it reads itself."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in components.items():
            schemas.setdefault(name, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: Settings,
    database: Database,
    *,
    clock: Callable[[], datetime] = system_clock,
    owns_database: bool = True,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await warm_up(app.state.leadflow)
        worker = (
            await jobs.start_in_process(settings, database, app.state.leadflow.organisation)
            if settings.run_worker_in_process
            else None
        )
        # What start-up built (modules, models, the compiled configuration: ~170,000 objects)
        # mostly lives as long as the process: out of the collector's sight, a full collection
        # takes 6-9 ms instead of 30-180 ms that stalled every request of the process (bench
        # notes). The configuration compiled here stays in memory when a new one replaces it
        # (about 12 MB for the demo's, once).
        gc.collect()
        gc.freeze()
        stalls = StallWatch()
        stalls.start()
        yield
        await stalls.stop()
        gc.unfreeze()  # an app that stops in a process that goes on (tests) can be collected
        if worker is not None:
            await worker.stop()
        await app.state.live.close()
        if owns_database:
            await database.dispose()

    configure_logging(json=settings.log_json)
    app = FastAPI(
        title="Leadflow",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by `docs.router` from the vendored copies
        redoc_url=None,
    )
    app.router.max_body_size = limits.API_BODY_BYTES  # every route, pages too (see Refusals)
    app.add_middleware(limits.Refusals)
    app.state.leadflow = AppState(settings, database, clock)
    app.state.live = live.hub(database)
    errors.install(app)
    app.include_router(leads.router)
    app.include_router(lead_list.router)
    app.include_router(forms.router, max_body_size=limits.FORM_BODY_BYTES)
    app.include_router(routing.router)
    app.include_router(replays.router)
    app.include_router(work.router)
    app.include_router(agents.router)
    app.include_router(tasks.router)
    app.include_router(workflow.router)
    app.include_router(whatsapp.router)
    app.include_router(quality.router)
    app.include_router(configuration.router)
    app.include_router(web_forms.router)
    app.include_router(connectors.router)
    app.include_router(system.router)
    app.include_router(docs.router)
    app.include_router(hooks.router)
    site.install(app, settings)
    _document_components(app, configuration.COMPONENTS)
    app.include_router(events.router)
    return app
