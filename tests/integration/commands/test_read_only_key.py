"""A key that may only read, against the emulator: plan, show, output, lint and drift checks work; apply
stops at its first refused write with one line (exit 3), and the request log shows nothing else written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli, writes
from verifyctl.emulator import EmulatorServer

ACCOUNT = ("AC" + "a" * 32, "token-a")
WRITER = ("SK" + "1" * 32, "secret-1", ACCOUNT[0])
READER = ("SK" + "2" * 32, "secret-2", ACCOUNT[0], "read-only")
EMULATOR_OPTIONS = {"accounts": [ACCOUNT], "api_keys": [WRITER, READER]}
# Three independent services and a child: with --parallelism 4 the first wave could send three writes.
CONFIG = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
    rate_limits:
      - unique_name: per_ip
        buckets:
          - max: 10
            interval: 60
  - friendly_name: Beta Login
  - friendly_name: Gamma Login
"""
REFUSED_LINE = (
    "Error: the API key cannot write: POST /v2/Services was refused: Authorization Failed (Twilio error"
    " 70051: https://www.twilio.com/docs/errors/70051); the credentials in TWILIO_API_KEY +"
    " TWILIO_API_SECRET may only read (enough for plan, show and drift checks): writes need a key with"
    " Verify write permissions; nothing was written"
)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def as_key(emulator: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    for name in ("TWILIO_AUTH_TOKEN", "VERIFYCTL_LOCAL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT[0])
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    (workdir / "verifyctl.yaml").write_text(CONFIG, encoding="utf-8")
    return emulator


def use(monkeypatch: pytest.MonkeyPatch, key: tuple[str, ...]) -> None:
    monkeypatch.setenv("TWILIO_API_KEY", key[0])
    monkeypatch.setenv("TWILIO_API_SECRET", key[1])


def test_apply_with_a_read_only_key_writes_nothing_and_exits_3_with_one_line(
    as_key: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, READER)

    run = run_cli("apply", "--auto-approve", "--parallelism", "4")

    assert run.exit_code == 3
    assert run.stderr.splitlines()[-2:] == [
        # No friendly name: a Restricted key cannot read the Accounts resource that holds it.
        f"Applying 5 changes to account AC…aaaa at {as_key.base_url} ...",
        REFUSED_LINE,
    ]
    # The page that shows the line shows this one.
    assert f"  {REFUSED_LINE}\n" in (ROOT / "docs" / "plans-and-apply.md").read_text(encoding="utf-8")
    # One write was tried, refused; nothing else was sent, nothing was written.
    assert [(w["method"], w["path"], w["status"]) for w in writes(as_key)] == [("POST", "/v2/Services", 403)]
    use(monkeypatch, WRITER)
    assert run_cli("show").stdout.count("not created yet") == 3


def test_plan_show_output_lint_and_drift_checks_work_with_a_read_only_key(
    as_key: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, WRITER)
    assert run_cli("apply", "--auto-approve").exit_code == 0
    applied = len(writes(as_key))
    use(monkeypatch, READER)

    plan = run_cli("plan", "--detailed-exitcode")
    show = run_cli("show")
    output = run_cli("output")
    lint = run_cli("lint")
    # Drift: the file now asks for what the account does not hold.
    Path("verifyctl.yaml").write_text(CONFIG.replace("code_length: 6", "code_length: 8"), encoding="utf-8")
    drift = run_cli("plan", "--detailed-exitcode", "--format", "markdown")

    assert plan.exit_code == 0 and "No changes" in plan.stdout
    assert show.exit_code == 0 and show.stdout.count("service[") >= 3
    assert output.exit_code == 0 and '"Acme Login": "VA' in output.stdout
    assert lint.exit_code == 0
    assert drift.exit_code == 2 and "code_length" in drift.stdout
    # Reads only: not one write more than the apply with the write key made.
    assert len(writes(as_key)) == applied
