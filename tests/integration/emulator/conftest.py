"""Fixtures for the emulator's integration tests: a running emulator and a client of it."""

from __future__ import annotations

import os

import pytest

from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer

# The emulator's own tests see its default Retry-After (the root fixture asks for none).
EMULATOR_OPTIONS = {"retry_after_seconds": 1}


@pytest.fixture(autouse=True)
def _no_caller_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's own TWILIO_*/VERIFYCTL_* variables never reach a test (`emulator messages` reads them)."""
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "VERIFYCTL_")):
            monkeypatch.delenv(name)


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator.base_url, emulator.accounts[0])
