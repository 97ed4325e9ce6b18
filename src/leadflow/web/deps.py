"""What endpoints receive: a Store per request, the caller's identity, the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from leadflow.config import Settings
from leadflow.services.access import scoping, tokens
from leadflow.services.access.scoping import Role, Scope, Viewer
from leadflow.services.access.tokens import TokenIdentity
from leadflow.services.access.users import Account
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.intake.intake_batches import IntakeBatches
from leadflow.services.work import lead_access
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.web.limits import PerAddress
from leadflow.web.params import LeadId
from leadflow.web.ui.shell import i18n, security


def system_clock() -> datetime:
    return datetime.now(UTC)


class AppState:
    """Everything an app instance shares across requests, built once at start-up."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Callable[[], datetime] = system_clock,
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.organisation = LiveOrganisation()
        self.form_posts = PerAddress(settings.form_posts_per_minute)
        self.intake = IntakeBatches(
            database,
            self.organisation,
            threshold=settings.language_confidence,
            clock=clock,
            gather=settings.intake_gather_ms / 1000,
        )


async def warm_up(state: AppState) -> None:
    """Compile the active configuration and load the language models before the first lead
    arrives, so no lead pays seconds of start-up (and no worker looks hung)."""
    from leadflow.identity import infer_language
    from leadflow.services.configuration.versions import NoConfiguration

    async with open_store(state.database) as opened:
        try:
            organisation = await state.organisation.get(opened)
        except NoConfiguration:
            return
    infer_language(
        explicit=None,
        locale=None,
        message="warm up the detector please",
        country=None,
        served=organisation.served,
        threshold=state.settings.language_confidence,
    )


async def app_state(request: Request) -> AppState:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
    state: AppState = request.app.state.leadflow
    return state


async def store(state: Annotated[AppState, Depends(app_state)]) -> AsyncIterator[Store]:
    async with open_store(state.database) as opened:
        yield opened


_bearer = HTTPBearer(auto_error=False, description="an API token from `leadflow token create`")
_session = APIKeyCookie(
    name=security.SESSION_COOKIE,
    auto_error=False,
    description="a signed-in user's session (from /signin); unsafe methods also send the "
    "session's CSRF token as the `X-CSRF-Token` header",
)


async def integration(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    state: Annotated[AppState, Depends(app_state)],
) -> TokenIdentity:
    """The calling API token; 401 otherwise. Looked up in a transaction of its own, which also
    records the token's use (at most once a minute): a read, or a refused write, is a use too."""
    if credentials is None:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    identity = tokens.trusted(credentials.credentials)
    if identity is None:
        async with open_store(state.database) as own:
            identity = await tokens.authenticate(own, credentials.credentials, now=state.clock())
            await own.commit()
    if identity is None:
        raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return identity


async def viewer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _cookie: Annotated[str | None, Depends(_session)],
    db: Annotated[Store, Depends(store)],
) -> Viewer:
    """Who is calling: an API token (an integration) or a signed-in user's session cookie.

    With the cookie, unsafe methods must also send the session's CSRF token (`X-CSRF-Token`).
    """
    if credentials is not None:
        return _token_viewer(await integration(credentials, await app_state(request)))
    return (await _signed_in(request, db)).viewer


def _token_viewer(token: TokenIdentity) -> Viewer:
    return Viewer(role=Role.INTEGRATION, actor=f"token:{token.name}", scopes=token.scopes)


async def _signed_in(request: Request, db: Store) -> Account:
    """The session cookie's account (401 without one); unsafe methods must also send the
    session's CSRF token."""
    account = await security.session_account(request, db)
    if account is None:
        raise HTTPException(
            401, "sign in, or send a bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    await security.verify_csrf(request)
    return account


def _answer_locale(request: Request, account: Account | None) -> str:
    """A signed-in user's account language; otherwise the `Accept-Language` header (en or
    tr, by q-value); English without either."""
    if account is not None and account.locale in i18n.LOCALES:
        return account.locale
    return i18n.negotiate(request.headers.get("accept-language"))


@dataclass(frozen=True)
class Submitter:
    """Who sends a lead (`lead_submitter`) and the language its answer speaks."""

    viewer: Viewer
    locale: str


async def lead_submitter(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _cookie: Annotated[str | None, Depends(_session)],
) -> Submitter:
    """`permitted(can_submit_leads, …, Scope.INTAKE)` and `language` for `POST /leads`, in one
    dependency that opens a Store only for a browser's session: intake's callers are tokens,
    and the eight dependencies with a session per request were 5-8% of intake's CPU."""
    state: AppState = request.app.state.leadflow
    if credentials is not None:
        who = _token_viewer(await integration(credentials, state))
        locale = _answer_locale(request, None)
    else:
        async with open_store(state.database) as db:
            account = await _signed_in(request, db)
            await db.release()
        who, locale = account.viewer, _answer_locale(request, account)
    scoping.require_scope(who, Scope.INTAKE)
    scoping.require(scoping.can_submit_leads(who), "submitting leads")
    return Submitter(who, locale)


def scoped(scope: Scope) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: the viewer, if their API token holds `scope` (users hold every scope);
    403 naming the scope otherwise. Every /api/v1 endpoint that takes a token goes through one,
    before it looks anything up."""

    async def check(who: Annotated[Viewer, Depends(viewer)]) -> Viewer:
        scoping.require_scope(who, scope)
        return who

    return check


def permitted(
    rule: Callable[[Viewer], bool], what: str, scope: Scope
) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: the viewer, if their token holds `scope` and `rule` lets them;
    `Forbidden` (403) otherwise."""

    # Not `Annotated[…]`: annotations are strings here, resolved in the module, not this call.
    async def check(who: Viewer = Depends(scoped(scope))) -> Viewer:
        scoping.require(rule(who), what)
        return who

    return check


def lead_visible(scope: Scope) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: the viewer of `/leads/{lead_id}…`, holding `scope`; a lead they may not
    see is answered 404, like a missing one."""

    async def check(
        lead_id: LeadId,
        db: Annotated[Store, Depends(store)],
        state: Annotated[AppState, Depends(app_state)],
        who: Viewer = Depends(scoped(scope)),
    ) -> Viewer:
        await lead_access.check_visible(db, state.organisation, who, lead_id)
        return who

    return check


async def language(
    request: Request,
    who: Annotated[Viewer, Depends(viewer)],
    db: Annotated[Store, Depends(store)],
) -> str:
    """The language of the sentences an answer writes about decisions: a signed-in user's
    account language; for an API token the `Accept-Language` header (en or tr, by q-value);
    English otherwise. Codes and parameters are the same in every language."""
    account = None
    if who.role is not Role.INTEGRATION:
        account = await security.session_account(request, db)
    return _answer_locale(request, account)


async def organisation(
    state: Annotated[AppState, Depends(app_state)], db: Annotated[Store, Depends(store)]
) -> Organisation:
    return await state.organisation.get(db)


async def organisation_if_any(
    state: Annotated[AppState, Depends(app_state)], db: Annotated[Store, Depends(store)]
) -> Organisation | None:
    """The active organisation, or None before any configuration is active."""
    from leadflow.services.configuration.versions import NoConfiguration

    try:
        return await state.organisation.get(db)
    except NoConfiguration:
        return None


async def now(state: Annotated[AppState, Depends(app_state)]) -> datetime:
    return state.clock()


StoreDep = Annotated[Store, Depends(store)]
OrgDep = Annotated[Organisation, Depends(organisation)]
MaybeOrgDep = Annotated[Organisation | None, Depends(organisation_if_any)]
Now = Annotated[datetime, Depends(now)]
State = Annotated[AppState, Depends(app_state)]
ViewerDep = Annotated[Viewer, Depends(viewer)]
Speaking = Annotated[str, Depends(language)]
"""The caller's language (`language`)."""
"""Any caller, whatever their token's scopes: not for /api/v1 endpoints, which use the below."""
Reader = Annotated[Viewer, Depends(scoped(Scope.READ))]
Worker = Annotated[Viewer, Depends(scoped(Scope.WORK))]
LeadViewer = Annotated[Viewer, Depends(lead_visible(Scope.READ))]
LeadWorker = Annotated[Viewer, Depends(lead_visible(Scope.WORK))]
LeadSubmitter = Annotated[Submitter, Depends(lead_submitter)]
