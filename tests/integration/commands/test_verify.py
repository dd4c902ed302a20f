"""`verifyctl verify send|check` on the emulator: approved, wrong code, unknown and shared service names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.commands.support import create_service
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

TO = "+15005550006"


def code_sent(server: EmulatorServer, to: str = TO) -> str:
    body = str(server.messages(to)[-1]["body"])
    found = re.search(r"verification code is: (\d+)", body)
    assert found, body
    return found.group(1)


def test_send_then_the_right_code_is_approved(account: EmulatorServer, workdir: Path) -> None:
    sid = create_service(account, FriendlyName="Smoke Test", CodeLength="8")
    sent = run_cli("verify", "send", "Smoke Test", "--to", TO)
    assert sent.exit_code == 0, sent.stderr
    assert f"Sent a code to {TO} by sms through service[Smoke Test] ({sid})" in sent.stdout
    code = code_sent(account)
    assert len(code) == 8
    # An --api-url on loopback that answers /__emulator__/messages: the message is shown.
    assert f"Emulator message to {TO}: Your Smoke Test verification code is: {code}" in sent.stdout

    checked = run_cli("verify", "check", "Smoke Test", "--to", TO, "--code", code)
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout == f"{TO}: approved.\n"


def test_a_wrong_code_exits_1_and_prints_the_status(account: EmulatorServer, workdir: Path) -> None:
    create_service(account, FriendlyName="Smoke Test")
    assert run_cli("verify", "send", "Smoke Test", "--to", TO).exit_code == 0
    wrong = "000000" if code_sent(account) != "000000" else "111111"
    checked = run_cli("verify", "check", "Smoke Test", "--to", TO, "--code", wrong)
    assert checked.exit_code == 1
    assert checked.stdout == f"{TO}: pending (wrong code); not approved.\n"
    # The verification is still pending: the right code approves it afterwards.
    assert run_cli("verify", "check", "Smoke Test", "--to", TO, "--code", code_sent(account)).exit_code == 0


def test_checking_with_nothing_pending_is_a_clear_error(account: EmulatorServer, workdir: Path) -> None:
    sid = create_service(account, FriendlyName="Smoke Test")
    checked = run_cli("verify", "check", sid, "--to", TO, "--code", "123456")
    assert checked.exit_code == 1
    assert f"Error: no pending verification for {TO} in service[Smoke Test] ({sid})" in checked.stderr
    assert "Twilio error 20404" in checked.stderr and "Traceback" not in checked.stderr


def test_an_unknown_service_is_an_error_naming_it(account: EmulatorServer, workdir: Path) -> None:
    create_service(account, FriendlyName="Smoke Test")
    for command in (["send", "Nope", "--to", TO], ["check", "Nope", "--to", TO, "--code", "1234"]):
        failed = run_cli("verify", *command)
        assert failed.exit_code == 1
        assert (
            "Error: no live service is named 'Nope' (the account's services: 'Smoke Test')" in failed.stderr
        )
    missing_sid = "VA" + "0" * 32
    failed = run_cli("verify", "send", missing_sid, "--to", TO)
    assert failed.exit_code == 1 and f"no live service has the SID {missing_sid}" in failed.stderr
    assert account.messages() == []


def test_a_shared_name_asks_for_the_sid(account: EmulatorServer, workdir: Path) -> None:
    sids = sorted(create_service(account, FriendlyName="Twin") for _ in range(2))
    failed = run_cli("verify", "send", "Twin", "--to", TO)
    assert failed.exit_code == 1
    assert f"2 live services are named 'Twin' ({sids[0]}, {sids[1]}); name the one you mean by its SID" in (
        failed.stderr
    )
    assert account.messages() == []

    assert run_cli("verify", "send", sids[1], "--to", TO).exit_code == 0
    assert account.messages(TO)[-1]["service_sid"] == sids[1]
    assert run_cli("verify", "check", sids[1], "--to", TO, "--code", code_sent(account)).exit_code == 0


def test_email_channel_and_api_errors(account: EmulatorServer, workdir: Path) -> None:
    create_service(account, FriendlyName="Smoke Test")
    sent = run_cli("verify", "send", "Smoke Test", "--to", "ada@example.com", "--channel", "email")
    assert sent.exit_code == 0, sent.stderr
    assert account.messages("ada@example.com")[-1]["channel"] == "email"

    refused = run_cli("verify", "send", "Smoke Test", "--to", "not-a-number")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: ") and "Twilio error 60200" in refused.stderr

    bad_channel = run_cli("verify", "send", "Smoke Test", "--to", TO, "--channel", "pigeon")
    assert bad_channel.exit_code == 64 and "'pigeon' is not one of" in bad_channel.stderr
    assert run_cli("verify", "check", "Smoke Test", "--to", TO).exit_code == 64  # --code is required


def test_local_walkthrough_shows_the_message(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name, raising=False)
    (workdir / "verifyctl.yaml").write_text(
        "version: 1\nservices:\n  - friendly_name: Local Login\n    code_length: 7\n", encoding="utf-8"
    )
    assert run_cli("apply", "--local", "--auto-approve").exit_code == 0
    sent = run_cli("verify", "send", "Local Login", "--to", TO, "--local")
    assert sent.exit_code == 0, sent.stderr
    found = re.search(
        r"Emulator message to \+15005550006: Your Local Login verification code is: (\d{7})\n", sent.stdout
    )
    assert found, sent.stdout
    checked = run_cli("verify", "check", "Local Login", "--to", TO, "--code", found.group(1), "--local")
    assert checked.exit_code == 0 and checked.stdout == f"{TO}: approved.\n"
