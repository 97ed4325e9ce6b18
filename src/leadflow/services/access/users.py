"""People who sign in: accounts, argon2 passwords, and the demo organisation's users."""

from __future__ import annotations

import asyncio
import functools
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from leadflow.identity import InvalidField, normalise_email
from leadflow.services.access.scoping import USER_ROLES, Role, Viewer
from leadflow.services.access.tokens import hash_token
from leadflow.storage.store import Store

MIN_PASSWORD_LENGTH = 10
LOCALES = ("en", "tr")

_hasher = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    """Verified when the e-mail is unknown, so a wrong address costs as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: Role
    locale: str
    timezone: str
    agent_key: str | None
    team_keys: tuple[str, ...]
    is_active: bool
    created_at: datetime

    @property
    def viewer(self) -> Viewer:
        return Viewer(
            role=self.role,
            team_keys=frozenset(self.team_keys),
            agent_key=self.agent_key,
            actor=self.email,
        )


class Problem(StrEnum):
    """Why an account change was refused; the interface words each one in the user's language."""

    EMAIL_INVALID = "email_invalid"
    EMAIL_TAKEN = "email_taken"
    NAME_MISSING = "name_missing"
    ROLE_UNKNOWN = "role_unknown"
    TEAM_MISSING = "team_missing"
    AGENT_MISSING = "agent_missing"
    PASSWORD_SHORT = "password_short"
    PASSWORD_WRONG = "password_wrong"
    LOCALE_UNKNOWN = "locale_unknown"
    TIMEZONE_UNKNOWN = "timezone_unknown"
    SELF_DEACTIVATION = "self_deactivation"
    UNKNOWN_USER = "unknown_user"


_EXPLANATIONS = {
    Problem.EMAIL_INVALID: "not a valid e-mail address",
    Problem.EMAIL_TAKEN: "a user with this e-mail address exists already",
    Problem.NAME_MISSING: "the name is empty",
    Problem.ROLE_UNKNOWN: "the role must be admin, manager, team_lead or agent",
    Problem.TEAM_MISSING: "a team lead needs at least one team",
    Problem.AGENT_MISSING: "an agent user needs the key of their agent",
    Problem.PASSWORD_SHORT: f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
    Problem.PASSWORD_WRONG: "the current password is not correct",
    Problem.LOCALE_UNKNOWN: f"the language must be one of {', '.join(LOCALES)}",
    Problem.TIMEZONE_UNKNOWN: "unknown time zone",
    Problem.SELF_DEACTIVATION: "you cannot deactivate your own account",
    Problem.UNKNOWN_USER: "no such user",
}


class AccountError(Exception):
    """An account change was refused; `problem` says why (the web interface words it)."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        explanation = _EXPLANATIONS[problem]
        super().__init__(f"{explanation}: {detail}" if detail else explanation)
        self.problem = problem


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    role: Role | str
    password: str
    team_keys: tuple[str, ...] = ()
    agent_key: str | None = None
    locale: str = "en"
    timezone: str = "Europe/Istanbul"


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    role: Role
    name: str


def account_of(user: Any) -> Account:
    return Account(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        locale=user.locale,
        timezone=user.timezone,
        agent_key=user.agent_key,
        team_keys=tuple(user.team_keys or ()),
        is_active=user.is_active,
        created_at=user.created_at,
    )


async def hash_password(password: str) -> str:
    """Argon2 takes ~0.1 s of CPU: run it off the event loop."""
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(_hasher.verify, password, password_hash)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(Problem.PASSWORD_SHORT)


def _email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except InvalidField as exc:
        raise AccountError(Problem.EMAIL_INVALID, raw) from exc


def _check_preferences(locale: str, timezone: str) -> None:
    if locale not in LOCALES:
        raise AccountError(Problem.LOCALE_UNKNOWN, locale)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(Problem.TIMEZONE_UNKNOWN, timezone) from None


def _role(user: NewUser) -> Role:
    try:
        role = Role(user.role)
    except ValueError:
        raise AccountError(Problem.ROLE_UNKNOWN, str(user.role)) from None
    if role not in USER_ROLES:
        raise AccountError(Problem.ROLE_UNKNOWN, role.value)
    if role is Role.TEAM_LEAD and not user.team_keys:
        raise AccountError(Problem.TEAM_MISSING)
    if role is Role.AGENT and not user.agent_key:
        raise AccountError(Problem.AGENT_MISSING)
    return role


async def create_user(store: Store, user: NewUser, *, actor: str) -> Account:
    """Validate and store a new user; the caller commits."""
    email = _email(user.email)
    if not user.name.strip():
        raise AccountError(Problem.NAME_MISSING)
    role = _role(user)
    _check_password(user.password)
    _check_preferences(user.locale, user.timezone)
    if await store.users.by_email(email) is not None:
        raise AccountError(Problem.EMAIL_TAKEN, email)
    row = await store.users.add(
        email=email,
        name=user.name.strip(),
        role=role.value,
        password_hash=await hash_password(user.password),
        team_keys=list(user.team_keys) if role is Role.TEAM_LEAD else [],
        agent_key=user.agent_key if role is Role.AGENT else None,
        locale=user.locale,
        timezone=user.timezone,
    )
    await store.audit.record(
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=email,
        detail={"role": role.value, "teams": list(user.team_keys), "agent": user.agent_key},
    )
    return account_of(row)


async def authenticate(store: Store, email: str, password: str) -> Account | None:
    """The active account with this e-mail and password, else None (never says which failed)."""
    try:
        address = normalise_email(email)
    except InvalidField:
        address = ""
    user = await store.users.by_email(address) if address else None
    if user is None or not user.password_hash:
        await _verify(password, await asyncio.to_thread(_dummy_hash))
        return None
    if not await _verify(password, user.password_hash) or not user.is_active:
        return None
    return account_of(user)


async def get_account(store: Store, user_id: int) -> Account:
    user = await store.users.get(user_id)
    if user is None:
        raise AccountError(Problem.UNKNOWN_USER, str(user_id))
    return account_of(user)


async def list_accounts(store: Store) -> list[Account]:
    return [account_of(user) for user in await store.users.listing()]


async def change_password(
    store: Store, account: Account, current: str, new: str, *, session_id: str | None
) -> Account:
    """The user's own change: the current password is required. Every session but the one that
    asked (`session_id`) ends."""
    user = await store.users.get(account.id)
    if user is None or not user.password_hash:
        raise AccountError(Problem.UNKNOWN_USER, account.email)
    if not await _verify(current, user.password_hash):
        raise AccountError(Problem.PASSWORD_WRONG)
    keep = hash_token(session_id) if session_id else None
    return await _set_password(store, account.id, new, actor=account.email, keep=keep)


async def set_password(store: Store, email: str, new: str, *, actor: str) -> Account:
    """An administrator's reset (the CLI): no current password needed; every session ends."""
    user = await store.users.by_email(_email(email))
    if user is None:
        raise AccountError(Problem.UNKNOWN_USER, email)
    return await _set_password(store, user.id, new, actor=actor)


async def _set_password(
    store: Store, user_id: int, new: str, *, actor: str, keep: str | None = None
) -> Account:
    _check_password(new)
    await store.users.update(user_id, password_hash=await hash_password(new))
    await store.sessions.end_all(user_id, keep=keep)
    account = await get_account(store, user_id)
    await store.audit.record(
        actor=actor, action="user.password", entity="user", entity_id=account.email, detail={}
    )
    return account


async def set_preferences(store: Store, account: Account, *, locale: str, timezone: str) -> Account:
    _check_preferences(locale, timezone)
    await store.users.update(account.id, locale=locale, timezone=timezone)
    return await get_account(store, account.id)


async def set_active(store: Store, user_id: int, active: bool, *, by: Account) -> Account:
    """Deactivate (or reactivate) a user; deactivation ends their sessions (reactivating
    revives none)."""
    if user_id == by.id and not active:
        raise AccountError(Problem.SELF_DEACTIVATION)
    target = await get_account(store, user_id)
    await store.users.update(user_id, is_active=active)
    if not active:
        await store.sessions.end_all(user_id)
    await store.audit.record(
        actor=by.email,
        action="user.activate" if active else "user.deactivate",
        entity="user",
        entity_id=target.email,
        detail={},
    )
    return await get_account(store, user_id)


DEMO_PEOPLE = (
    NewUser("admin@anatolia.example", "Kerem Yıldız", Role.ADMIN, ""),
    NewUser("leyla@anatolia.example", "Leyla Aksoy", Role.MANAGER, ""),
    NewUser(
        "asli@anatolia.example",
        "Aslı Koç",
        Role.TEAM_LEAD,
        "",
        team_keys=("english", "arabic"),
    ),
    NewUser(
        "gaye@anatolia.example",
        "Gaye Erdem",
        Role.TEAM_LEAD,
        "",
        team_keys=("german", "russian", "french"),
    ),
    NewUser(
        "anna.schmidt@anatolia.example",
        "Anna Schmidt",
        Role.AGENT,
        "",
        agent_key="anna.schmidt",
        timezone="Europe/Berlin",
    ),
)
"""The demo organisation's users: the IT admin, the sales director, both team leads (with the
teams `organisation.yaml` names them lead of; the German team's last, the one a role's sign-in
names) and one agent."""


async def ensure_demo_users(store: Store) -> list[DemoUser]:
    """Create the demo users, or give the existing ones a fresh password; returns credentials.

    The passwords are random and printed by `leadflow demo`, so a demo database never carries a
    well-known password.
    """
    created: list[DemoUser] = []
    for person in DEMO_PEOPLE:
        password = secrets.token_urlsafe(12)
        existing = await store.users.by_email(person.email)
        if existing is None:
            await create_user(
                store,
                NewUser(**{**person.__dict__, "password": password}),
                actor="demo",
            )
        else:
            await store.users.update(
                existing.id, password_hash=await hash_password(password), is_active=True
            )
            await store.sessions.end_all(existing.id)
        created.append(DemoUser(person.email, password, Role(person.role), person.name))
    return created
