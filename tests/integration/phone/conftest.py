"""The channels' fixtures the phone tests share (the vault of connector secrets)."""

from tests.integration.channels.conftest import vault  # noqa: F401 (a fixture, re-exported)
