"""Bad-input suites: an emulator shared by the module (their counts close the run: tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifyctl.emulator import EmulatorServer

ACCOUNT_VARIABLES = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "VERIFYCTL_API_URL")
CLEARED_VARIABLES = ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "NO_COLOR")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """One emulator for a module's many generated inputs, the environment pointing at it, cwd in a tmp dir.

    Module scope, as Hypothesis runs every example inside one test call; each example clears the
    emulator's request log before it runs, so write checks only see that example's requests.
    """
    saved = {name: os.environ.get(name) for name in (*ACCOUNT_VARIABLES, *CLEARED_VARIABLES)}
    workdir = tmp_path_factory.mktemp("badinput")
    previous_cwd = Path.cwd()
    with EmulatorServer(host="127.0.0.1", port=0, retry_after_seconds=0) as server:
        sid, token = server.accounts[0]
        for name in CLEARED_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update({"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
        os.environ["VERIFYCTL_API_URL"] = server.base_url
        os.chdir(workdir)
        try:
            yield server
        finally:
            os.chdir(previous_cwd)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
