"""Fixtures for integration tests: an emulator on 127.0.0.1 port 0, and the CLI run in-process against it."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.skipped_time import SkippedTime, on_skipped_time
from verifyctl.cli.main import main
from verifyctl.client import retry, verify_client
from verifyctl.emulator import EmulatorServer
from verifyctl.engine import racing


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Run:
    """Run `verifyctl ARGS` in this process, through the same error boundary as the console script."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def instant_waits(monkeypatch: pytest.MonkeyPatch) -> SkippedTime:
    """In-process runs skip their waits: backoffs, pacing, and the waits for racing writers (the tie
    window after creates, the settle reads, the re-plans), through the client's retry policy.

    For tests whose point is not timing or racing (they have no other writer). What is sent, retried and
    checked is unchanged; only the sleeps are skipped. The racing tests keep real time.
    """
    skipped = SkippedTime()
    # The modules that make a run's retry policy: the client's, and apply's re-plans.
    for module in (verify_client, racing):
        monkeypatch.setattr(module, "RetryPolicy", on_skipped_time(retry.RetryPolicy, skipped))
    return skipped


@pytest.fixture
def account(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """Point verifyctl at the emulator through the environment, as a user would."""
    sid, token = emulator.accounts[0]
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    return emulator


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def writes(server: EmulatorServer) -> list[dict[str, object]]:
    """The write requests (POST, DELETE) the emulator answered on the Verify API."""
    return [
        r
        for r in server.requests()
        if r["method"] in ("POST", "DELETE") and str(r["path"]).startswith("/v2/")
    ]
