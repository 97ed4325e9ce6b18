"""Helpers for the web-interface tests: the demo organisation, one user per role, signed-in
clients, and leads written straight to the tables."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from leadflow.config import Settings
from leadflow.demo import organisation_yaml
from leadflow.domain.configuration import Configuration
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import (
    LiveOrganisation,
    Organisation,
    compile_organisation,
)
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.storage.database import Database
from leadflow.storage.store import ContactDetails, Store
from leadflow.web.app import create_app
from tests.integration.conftest import Clock

PASSWORD = "correct horse battery"
BASE_URL = "http://leadflow.test"
ROLES = ("admin", "manager", "team_lead", "agent")
EMAILS = {
    "admin": "admin@clinic.example",
    "manager": "director@clinic.example",
    "team_lead": "lead.german@clinic.example",
    "agent": "anna@clinic.example",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def password_hash() -> str:
    """Hashed once per test session: argon2 is slow on purpose."""
    from pwdlib import PasswordHash

    return PasswordHash.recommended().hash(PASSWORD)


@dataclass(frozen=True)
class Scenario:
    """The demo organisation (German, English… teams) with one user per role."""

    version: int
    user_ids: dict[str, int]


async def add_user(store: Store, role: str, email: str, **extra: Any) -> int:
    values: dict[str, Any] = {
        "email": email,
        "name": email.split("@")[0].replace(".", " ").title(),
        "role": role,
        "password_hash": password_hash(),
        "team_keys": ["german"] if role == "team_lead" else [],
        "agent_key": "anna.schmidt" if role == "agent" else None,
        **extra,
    }
    return (await store.users.add(**values)).id


@functools.cache
def demo_configuration() -> Configuration:
    return configuration.parse_yaml(organisation_yaml(), "organisation.yaml")


_compiled: dict[str, Organisation] = {}


class SharedOrganisation(LiveOrganisation):
    """Compiles each distinct configuration once per test session (it takes about a second);
    every test's app would otherwise compile the demo organisation again."""

    async def get(self, store: Store) -> Organisation:
        active = await store.configs.active()
        if active is None:
            raise NoConfiguration()
        key = json.dumps(active.document, sort_keys=True)
        if key not in _compiled:
            document = configuration.validate(active.document)
            _compiled[key] = compile_organisation(active.id, document)
        return dataclasses.replace(_compiled[key], version=active.id)


async def demo_scenario(store: Store) -> Scenario:
    await configuration.apply(store, demo_configuration(), actor="demo", comment="demo")
    ids = {role: await add_user(store, role, EMAILS[role]) for role in ROLES}
    await store.commit()
    version = await store.configs.active_id()
    assert version is not None
    return Scenario(version, ids)


def application(database: Database, clock: Clock) -> FastAPI:
    app = create_app(Settings(), database, clock=clock, owns_database=False)
    app.state.leadflow.organisation = SharedOrganisation()
    return app


@asynccontextmanager
async def browser(
    database: Database, clock: Clock, app: FastAPI | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser; it asks for HTML pages."""
    app = app or application(database, clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=BASE_URL,
        headers={"accept": "text/html"},
    ) as client:
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the new session's CSRF token."""
    form = await client.get("/signin")
    answer = await client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_of(form)}
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(await client.get("/account"))


async def add_lead(
    store: Store,
    *,
    received_at: datetime,
    owner: str | None,
    pipeline: str | None = None,
    name: str = "Lena",
    country: str = "DE",
    source: str = "website",
) -> int:
    contact_id, _ = await store.contacts.resolve(
        [("email", f"{name.lower()}.{received_at.timestamp()}@example.org")],
        ContactDetails(name, "Test", None, None, None, country, "de"),
    )
    lead = await store.leads.insert(
        {
            "contact_id": contact_id,
            "source": source,
            "received_at": received_at,
            "first_name": name,
            "last_name": "Test",
            "country": country,
            "country_source": "explicit",
            "language": "de",
            "language_source": "explicit",
            "routing_status": "assigned" if owner else "queued",
            "owner_agent_key": owner,
            "pipeline_key": pipeline,
            "stage_key": "new",
        }
    )
    assert lead is not None
    return lead.id
