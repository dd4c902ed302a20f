"""Fixtures for the emulator's integration tests: a running emulator and a client of it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer


@pytest.fixture(autouse=True)
def _no_caller_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's own TWILIO_*/VERIFYCTL_* variables never reach a test (`emulator messages` reads them)."""
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "VERIFYCTL_")):
            monkeypatch.delenv(name)


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator.base_url, emulator.accounts[0])
