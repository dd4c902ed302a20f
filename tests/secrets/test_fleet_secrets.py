"""No auth token of a fleet's parent or of any member in any output, log record (-vv, json) or error."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
import requests

from tests.chaos.evidence import count
from tests.integration.conftest import Run, run_cli
from verifyctl.client import retry, verify_client
from verifyctl.emulator import EmulatorServer

PARENT, PARENT_TOKEN = "AC" + "7c" * 16, "SENTINEL-parent-token-51d0a2"
EMULATOR_OPTIONS = {
    "accounts": [(PARENT, PARENT_TOKEN, "Acme Platform")],
    "subaccounts": {PARENT: ["tenant-a", "tenant-b", "tenant-c"]},
}
ENVIRONMENTS = f"""\
version: 1
environments:
  tenants:
    subaccounts_of:
      account_sid: {PARENT}
      credentials: {{auth_token_env: PARENT_TOKEN}}
      max_services: 100
    select: {{friendly_name: "tenant-*"}}
  single:                                # a literal name: the listing holds that member alone, token and all
    subaccounts_of:
      account_sid: {PARENT}
      credentials: {{auth_token_env: PARENT_TOKEN}}
    select: {{friendly_name: tenant-b}}
services:
  - friendly_name: "${{MEMBER_NAME}} Login"
    code_length: 6
"""


def leaks(emulator: EmulatorServer) -> list[str]:
    """Every member's token (as the parent reads them), the parent's, and their basic-auth forms."""
    reply = requests.get(
        f"{emulator.base_url}/2010-04-01/Accounts.json", auth=(PARENT, PARENT_TOKEN), timeout=5
    )
    reply.raise_for_status()
    pairs = [(a["sid"], a["auth_token"]) for a in reply.json()["accounts"]]
    assert len(pairs) == 4 and all(token for _, token in pairs)
    return [
        *(token for _, token in pairs),
        *(base64.b64encode(f"{sid}:{token}".encode()).decode() for sid, token in pairs),
        "SENTINEL",
    ]


class Watch:
    def __init__(self, caplog: pytest.LogCaptureFixture, secrets: list[str]) -> None:
        self.caplog, self.secrets = caplog, secrets
        caplog.set_level(logging.DEBUG)

    def check(self, what: str, text: str) -> None:
        count("secrets: outputs, records and files searched")
        for secret in self.secrets:
            assert secret not in text, f"{what} shows a secret ({secret!r}):\n{text}"

    def run(self, *args: str, expect: int | None = 0) -> Run:
        self.caplog.clear()
        run = run_cli(*args)
        count("secrets: commands run")
        where = f"verifyctl {' '.join(args)}"
        self.check(f"{where}: stdout", run.stdout)
        self.check(f"{where}: stderr", run.stderr)
        records = "\n".join(
            f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in self.caplog.records
        )
        self.check(f"{where}: log records", records)
        if expect is not None:
            assert run.exit_code == expect, f"{where} exited {run.exit_code}:\n{run.stderr}"
        return run


@pytest.fixture
def watch(
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Watch:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VERIFYCTL_LOCAL", "VERIFYCTL_ENV", "VERIFYCTL_SHARD", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARENT_TOKEN", PARENT_TOKEN)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.chdir(tmp_path)
    Path("verifyctl.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    # Every retry is logged at -vv, with millisecond backoff.
    monkeypatch.setattr(
        verify_client, "RetryPolicy", lambda **kw: retry.RetryPolicy(base_delay=0.002, max_delay=0.02)
    )
    return Watch(caplog, leaks(emulator))


def test_a_fleets_commands_show_no_token_at_any_verbosity(emulator: EmulatorServer, watch: Watch) -> None:
    for verbose in (("-vv", "--stats"), ("-vv", "--log-format", "json")):
        ran = watch.run("plan", "--env", "tenants", *verbose, expect=None)
        assert ran.exit_code == 0, ran.stderr
        assert "GET /2010-04-01/Accounts.json" in ran.stderr  # the listing was logged, with its body
        single = watch.run("plan", "--env", "single", *verbose)
        # The parent's listing carries the member's token: its logged body masks the field.
        assert '"auth_token": "***"' in single.stderr.replace("\\", "")
        for fmt in ("json", "markdown"):
            watch.run("plan", "--env", "tenants", "--format", fmt, *verbose)
        watch.run("plan", "--env", "tenants/tenant-b", *verbose, "--out", "member.json")
        watch.check("member.json", Path("member.json").read_text(encoding="utf-8"))
        watch.run("output", "--env", "tenants", "--format", "json", *verbose)
        watch.run("show", "--env", "tenants/tenant-a", *verbose)
    assert json.loads(watch.run("output", "--env", "tenants", "--format", "json").stdout) == {
        "tenant-a": {},
        "tenant-b": {},
        "tenant-c": {},
    }


def test_failing_fleet_commands_show_no_token(
    emulator: EmulatorServer, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.set_faults(error_rate=1.0)
    failed = watch.run("plan", "--env", "tenants", "-vv", expect=1)
    assert "Error: environment tenants: subaccounts of AC…7c7c" in failed.stderr
    emulator.set_faults(error_rate=0.0)
    monkeypatch.setenv("PARENT_TOKEN", PARENT_TOKEN + "-wrong")
    refused = watch.run("plan", "--env", "tenants", "-vv", expect=1)
    assert "Authenticate" in refused.stderr and "PARENT_TOKEN" in refused.stderr
    monkeypatch.setenv("PARENT_TOKEN", PARENT_TOKEN)
    for url in ("http://127.0.0.1:1", f"http://{PARENT}:{PARENT_TOKEN}@127.0.0.1:1"):
        watch.run("plan", "--env", "tenants", "-vv", "--api-url", url, expect=None)
    watch.run("plan", "--env", "tenants/tenant-z", "-vv", expect=64)
