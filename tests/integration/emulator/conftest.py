"""Fixtures for the emulator's integration tests: a running emulator and a client of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def api(emulator: EmulatorServer) -> Api:
    return Api(emulator.base_url, emulator.accounts[0])
