"""A sentinel auth token and API secret appear in no output, log record, error, plan or imported file."""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.chaos.evidence import count
from tests.integration.conftest import Run, run_cli
from verifyctl.client import retry, verify_client
from verifyctl.emulator import EmulatorServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "AC" + "5e" * 16
KEY_SID = "SK" + "4d" * 16
TOKEN = "SENTINEL-auth-token-9f27c1"
SECRET = "SENTINEL-api-secret-3b8e40"
# Any trace of either: the word, each secret, and the Authorization header values that carry them.
LEAKS = [
    "SENTINEL",
    "sentinel",
    TOKEN,
    SECRET,
    base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode(),
    base64.b64encode(f"{KEY_SID}:{SECRET}".encode()).decode(),
]
CONFIG = {
    "version": 1,
    "services": [
        {
            "friendly_name": "Secret Keeper",
            "code_length": 6,
            "rate_limits": [{"unique_name": "ip", "buckets": [{"interval": 60, "max": 5}]}],
            "webhooks": [
                {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://h.example/"}
            ],
        }
    ],
}


@dataclass(frozen=True)
class Credentials:
    name: str
    variables: dict[str, str]


AUTH_TOKEN = Credentials("auth token", {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN})
API_KEY = Credentials(
    "API key", {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_API_KEY": KEY_SID, "TWILIO_API_SECRET": SECRET}
)
WRONG = {
    "auth token": {"TWILIO_AUTH_TOKEN": TOKEN + "-wrong"},
    "API key": {"TWILIO_API_SECRET": SECRET + "-wrong"},
}
ALL_VARIABLES = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET")


EMULATOR_OPTIONS = {"accounts": [(ACCOUNT, TOKEN)], "api_keys": [(KEY_SID, SECRET, ACCOUNT)]}


@pytest.fixture(params=[AUTH_TOKEN, API_KEY], ids=lambda c: c.name)
def credentials(
    request: pytest.FixtureRequest, emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Credentials:
    chosen: Credentials = request.param
    for name in (*ALL_VARIABLES, "VERIFYCTL_LOCAL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in chosen.variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.chdir(tmp_path)
    Path("verifyctl.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False), encoding="utf-8")
    return chosen


class Watch:
    """Runs commands and fails on any trace of a secret in their output, their log records or files."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        caplog.set_level(logging.DEBUG)  # every logger, urllib3's included

    def check_text(self, what: str, text: str) -> None:
        count("secrets: outputs, records and files searched")
        for leak in LEAKS:
            assert leak not in text, f"{what} shows a secret ({leak!r}):\n{text}"

    def run(self, *args: str, expect: int | None = 0) -> Run:
        self.caplog.clear()
        run = run_cli(*args)
        where = f"verifyctl {' '.join(args)}"
        count("secrets: commands run")
        self.check_text(f"{where}: stdout", run.stdout)
        self.check_text(f"{where}: stderr", run.stderr)
        logged = "\n".join(
            f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in self.caplog.records
        )
        self.check_text(f"{where}: log records", logged)
        if expect is not None:
            assert run.exit_code == expect, f"{where} exited {run.exit_code}:\n{run.stderr}"
        return run

    def check_file(self, path: str) -> None:
        self.check_text(path, Path(path).read_text(encoding="utf-8"))


@pytest.fixture
def watch(caplog: pytest.LogCaptureFixture) -> Watch:
    return Watch(caplog)


def test_working_commands_with_debug_logging_and_stats(
    credentials: Credentials, emulator: EmulatorServer, watch: Watch
) -> None:
    verbose = ("-vv", "--stats")
    watch.run("validate")  # offline, yet searched like the rest
    assert "Requests:" in watch.run("plan", *verbose, "--out", "plan.json").stderr
    watch.check_file("plan.json")
    watch.run("plan", *verbose, "--format", "json")
    watch.run("plan", *verbose, "--format", "markdown")
    watch.run("apply", *verbose, "--auto-approve", "--report", "report.json")
    watch.check_file("report.json")
    Path("verifyctl.yaml").write_text(yaml.safe_dump({**CONFIG, "prune": True}), encoding="utf-8")
    watch.run("plan", *verbose, "--out", "again.json")
    watch.check_file("again.json")
    watch.run("apply", *verbose, "--plan", "again.json", "--report", "again-report.json")
    watch.check_file("again-report.json")
    watch.run("import", *verbose, "-o", "imported.yaml")
    watch.check_file("imported.yaml")
    watch.run("import", *verbose, "--split", "imported")
    for path in Path("imported").iterdir():
        watch.check_file(str(path))
    watch.run("verify", "send", "Secret Keeper", "--to", "+15005550006", *verbose)
    to = ("Secret Keeper", "--to", "+15005550006")
    watch.run("verify", "check", *to, "--code", "000000", *verbose, expect=None)
    code = re.findall(r"\b(\d{6})\b", emulator.messages("+15005550006")[-1]["body"])[-1]
    watch.run("verify", "check", *to, "--code", code, *verbose)
    watch.run("emulator", "messages", "--api-url", emulator.base_url)


def test_failing_commands_with_debug_logging(
    credentials: Credentials, emulator: EmulatorServer, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    verbose = ("-vv", "--stats")
    # Every retry is logged at -vv; the client's own retry policy, with millisecond backoff.
    quick = functools.partial(retry.RetryPolicy, base_delay=0.002, max_delay=0.02)
    monkeypatch.setattr(verify_client, "RetryPolicy", quick)
    with monkeypatch.context() as wrong:
        for name, value in WRONG[credentials.name].items():
            wrong.setenv(name, value)
        refused = watch.run("plan", *verbose, expect=1)
        assert "Authenticate" in refused.stderr
        watch.run("apply", *verbose, "--auto-approve", "--report", "r.json", expect=1)
        watch.check_file("r.json")
        watch.run("import", *verbose, expect=1)
        watch.run("verify", "send", "Secret Keeper", "--to", "+15005550006", *verbose, expect=1)
    for url in ("http://127.0.0.1:1", "https://127.0.0.1:1", f"http://{ACCOUNT}:{TOKEN}@127.0.0.1:1"):
        watch.run("plan", *verbose, "--api-url", url, expect=None)
        watch.run("apply", *verbose, "--auto-approve", "--api-url", url, "--report", "r.json", expect=None)
        watch.check_file("r.json")  # the report of an apply that failed is written too
    emulator.set_faults(error_rate=1.0)
    watch.run("plan", *verbose, expect=1)
    watch.run("apply", *verbose, "--auto-approve", "--report", "r.json", expect=1)
    watch.check_file("r.json")
    emulator.set_faults(error_rate=0.0, drop_rate=1.0)
    # Every create's answer is lost; each is looked up again, found, and not sent twice.
    watch.run("apply", *verbose, "--auto-approve", "--report", "r.json")
    watch.check_file("r.json")
    emulator.set_faults(drop_rate=0.0)
    watch.run("verify", "check", "Secret Keeper", "--to", "+10000000000", "--code", "1", *verbose, expect=1)


def run_without_leaks(args: list[str]) -> subprocess.CompletedProcess[str]:
    """`verifyctl ARGS` in its own process: it succeeds, and no secret is in what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "verifyctl", *args],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    count("secrets: commands run")
    assert done.returncode == 0, done.stderr
    for leak in LEAKS:
        assert leak not in done.stdout + done.stderr, f"{args}: {leak!r} in\n{done.stderr}"
    return done


def test_a_real_process_with_debug_logging(credentials: Credentials, emulator: EmulatorServer) -> None:
    """The same, through the console entry point in its own process (warnings, logging set-up, exit)."""
    for args in (["plan", "-vv", "--stats"], ["apply", "-vv", "--stats", "--auto-approve"]):
        done = run_without_leaks(args)
        assert "GET /v2/Services" in done.stderr  # -vv logged every request


@pytest.mark.parametrize(
    "logging_args",
    [["-v"], ["-vv"], ["-v", "--log-format", "json"], ["-vv", "--log-format", "json"]],
    ids=" ".join,
)
def test_request_logs_at_each_verbosity_and_format(
    credentials: Credentials, emulator: EmulatorServer, watch: Watch, logging_args: list[str]
) -> None:
    """-v: one line per request the emulator answered; -vv adds bodies; json: an object a line. No secret.

    In this process (the logging set-up of a real one is test_a_real_process_with_debug_logging's)."""
    for args in (["plan"], ["apply", "--auto-approve"], ["import", "-o", "imported.yaml"]):
        emulator.clear_requests()
        done = watch.run(*args, *logging_args)
        if "json" in logging_args:
            records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
            requests_logged = [r for r in records if r["level"] == "INFO" and "status" in r]
            assert all({"method", "path", "status", "ms", "attempt"} <= set(r) for r in requests_logged)
            bodies = [r for r in records if r["level"] == "DEBUG" and "received" in r["message"]]
        else:
            requests_logged = [line for line in done.stderr.splitlines() if line.startswith("INFO ")]
            requests_logged = [line for line in requests_logged if " -> " in line]
            bodies = [line for line in done.stderr.splitlines() if "; received " in line]
        assert len(requests_logged) == len(emulator.requests()), done.stderr
        assert bool(bodies) == ("-vv" in logging_args)
