"""`verify send/check` with PSD2, custom codes, locales and rate-limit values; a refused argument is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.commands.support import api, create_service
from tests.integration.commands.test_verify import TO, code_sent
from tests.integration.conftest import run_cli
from tests.support.skipped_time import SkippedTime
from verifyctl.emulator import EmulatorServer


def test_a_psd2_service_is_smoke_tested_with_amount_and_payee(account: EmulatorServer, workdir: Path) -> None:
    sid = create_service(account, FriendlyName="Payments", Psd2Enabled="true")
    without = run_cli("verify", "send", "Payments", "--to", TO)
    assert without.exit_code == 1
    assert "the API refused --amount and --payee: fix them on the command line" in without.stderr
    assert "fix the configuration" not in without.stderr
    psd2 = ["--amount", "€39.99", "--payee", "Acme Shop"]
    sent = run_cli("verify", "send", "Payments", "--to", TO, *psd2)
    assert sent.exit_code == 0, sent.stderr
    verification = re.search(r"verification (VE\w+)", sent.stdout)
    assert verification
    stored = api(account, "GET", f"/v2/Services/{sid}/Verifications/{verification.group(1)}")
    assert (stored["amount"], stored["payee"]) == ("€39.99", "Acme Shop")
    checked = run_cli("verify", "check", "Payments", "--to", TO, "--code", code_sent(account), *psd2)
    assert checked.exit_code == 0, checked.stderr


def test_a_custom_code_and_a_locale_are_sent(account: EmulatorServer, workdir: Path) -> None:
    create_service(account, FriendlyName="Custom", CustomCodeEnabled="true")
    sent = run_cli("verify", "send", "Custom", "--to", TO, "--custom-code", "424242", "--locale", "es")
    assert sent.exit_code == 0, sent.stderr
    body = str(account.messages(TO)[-1]["body"])
    assert "424242" in body and "verification code is" not in body  # Spanish, not English
    assert run_cli("verify", "check", "Custom", "--to", TO, "--code", "424242").exit_code == 0


def test_rate_limit_values_are_counted_against_the_services_buckets(
    account: EmulatorServer, workdir: Path, instant_waits: SkippedTime
) -> None:
    sid = create_service(account, FriendlyName="Limited")
    limit = api(account, "POST", f"/v2/Services/{sid}/RateLimits", {"UniqueName": "end_user_ip"})
    api(
        account,
        "POST",
        f"/v2/Services/{sid}/RateLimits/{limit['sid']}/Buckets",
        {"Max": "1", "Interval": "60"},
    )
    ip = ["--rate-limit", "end_user_ip=203.0.113.7"]
    first = run_cli("verify", "send", "Limited", "--to", TO, *ip)
    assert first.exit_code == 0, first.stderr
    # The bucket's 429 says Retry-After: 60; the client retries after its capped waits, skipped here.
    second = run_cli("verify", "send", "Limited", "--to", "+15005550009", *ip)
    assert second.exit_code == 1, second.stderr
    unknown = run_cli("verify", "send", "Limited", "--to", TO, "--rate-limit", "end_user_id=7")
    assert unknown.exit_code == 1
    assert "the API refused --rate-limit: fix it on the command line" in unknown.stderr


@pytest.mark.parametrize("value", ["end_user_ip", "=203.0.113.7", " =x"])
def test_a_malformed_rate_limit_value_is_a_usage_error(
    account: EmulatorServer, workdir: Path, value: str
) -> None:
    create_service(account, FriendlyName="Limited")
    account.clear_requests()
    run = run_cli("verify", "send", "Limited", "--to", TO, "--rate-limit", value)
    assert run.exit_code == 64, run.stderr
    assert "--rate-limit" in run.stderr and "UNIQUE_NAME=VALUE" in run.stderr
    assert account.requests() == []


def test_a_refused_custom_code_names_the_option(account: EmulatorServer, workdir: Path) -> None:
    create_service(account, FriendlyName="Custom", CustomCodeEnabled="true")
    run = run_cli("verify", "send", "Custom", "--to", TO, "--custom-code", "12")
    assert run.exit_code == 1
    assert "the API refused --custom-code: fix it on the command line" in run.stderr
    assert "configuration" not in run.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["verify", "send", "Custom", "nope.yaml", "--to", TO],
        ["verify", "check", "Custom", "nope/", "--to", TO, "--code", "1234"],
        ["import", "--config", "nope.yaml"],
    ],
)
def test_a_configuration_path_that_does_not_exist_is_a_usage_error(
    account: EmulatorServer, workdir: Path, command: list[str]
) -> None:
    account.clear_requests()
    run = run_cli(*command)
    assert run.exit_code == 64, run.stderr
    assert "nope" in run.stderr and "does not exist" in run.stderr
    assert account.requests() == []
