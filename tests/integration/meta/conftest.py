"""Meta Lead Ads tests: a local Graph API per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.graph import FakeGraph

PAGE_TOKEN = "page-token-0123456789"
APP_SECRET = "app-secret-0123456789"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(token=PAGE_TOKEN, app_secret=APP_SECRET)
    fake.start()
    yield fake
    fake.stop()
