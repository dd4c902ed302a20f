"""How an environment's account is proven with API keys that cannot read /Accounts (Standard, Restricted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from tests.integration.environments.test_environments import (  # noqa: F401 - the fixture
    EMULATOR_OPTIONS,
    ENVIRONMENTS,
    PROD,
    PROD_KEY,
    PROD_READ_KEY,
    PROD_READ_SECRET,
    PROD_SECRET,
    PROD_TOKEN,
    STAGING,
    create,
    names,
    repo,
    writes,
)
from verifyctl.emulator import EmulatorServer

UNPROVEN = (
    "environment production: the account of the API key in PROD_KEY/PROD_SECRET is not proven yet: a"
    " Standard or Restricted key cannot read /Accounts (401, code 20003) and the account has no Verify"
    " service to show its owner"
)
# Staging's environment holding production's Standard key: the mistake the check is for.
SWAPPED = ENVIRONMENTS.replace(
    "credentials: {auth_token_env: STAGING_TOKEN}",
    "credentials: {api_key_env: PROD_KEY, api_secret_env: PROD_SECRET}",
)


def account_reads(emulator: EmulatorServer) -> list[str]:
    return [str(r["path"]) for r in emulator.requests() if str(r["path"]).startswith("/2010-04-01/")]


@pytest.mark.parametrize("read_only", [False, True], ids=["standard", "read-only"])
def test_plan_and_apply_with_a_key_that_cannot_read_accounts_succeed(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    read_only: bool,
) -> None:
    create(emulator, PROD, PROD_TOKEN, "Acme Login")
    if read_only:
        # Production converged first (with the Standard key), so the read-only key has nothing to write.
        assert run_cli("apply", ".", "--env", "production", "--auto-approve").exit_code == 0
        monkeypatch.setenv("PROD_KEY", PROD_READ_KEY)
        monkeypatch.setenv("PROD_SECRET", PROD_READ_SECRET)
    emulator.clear_requests()
    plan = run_cli("plan", ".", "--env", "production", "--no-color")
    applied = run_cli("apply", ".", "--env", "production", "--auto-approve", "--no-color")

    assert plan.exit_code == 0, plan.stderr
    assert applied.exit_code == 0, applied.stderr
    assert "not proven" not in plan.stderr + applied.stderr
    # The key was refused /Accounts; its one Verify service proved the account.
    assert set(account_reads(emulator)) == {f"/2010-04-01/Accounts/{PROD}.json"}
    assert set(names(emulator, PROD, PROD_TOKEN)) == {"Acme Login", "Acme Payments"}


def test_a_wrong_key_secret_is_an_authentication_failure(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "wrong" + "0" * 27
    monkeypatch.setenv("PROD_SECRET", wrong)
    for command in (["plan"], ["apply", "--auto-approve"]):
        run = run_cli(*command, ".", "--env", "production", "--no-color")
        assert run.exit_code == 1, run.stderr
        assert (
            "20003" in run.stderr and "check PROD_KEY/PROD_SECRET (a wrong or rotated secret)" in run.stderr
        )
        assert "not proven" not in run.stderr and wrong not in run.stderr
    assert writes(emulator, PROD) == []


def test_a_standard_key_of_another_account_with_services_is_refused(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
) -> None:
    create(emulator, PROD, PROD_TOKEN, "Acme Login")
    (repo / "environments.yaml").write_text(SWAPPED, encoding="utf-8")
    emulator.clear_requests()
    for command in (["plan"], ["apply", "--auto-approve"]):
        run = run_cli(*command, ".", "--env", "staging", "--no-color")
        assert run.exit_code == 3, run.stderr
        assert (
            "the credentials in PROD_KEY/PROD_SECRET belong to account AC…2222, not AC…1111 as its"
            " account_sid says; one service was listed, nothing written"
        ) in run.stderr
        assert PROD_SECRET not in run.stderr
    assert writes(emulator, STAGING) == writes(emulator, PROD) == []
    # One service was listed to learn the owner, nothing else of production.
    verify_reads = [r for r in emulator.requests() if str(r["path"]).startswith("/v2/")]
    assert [r["path"] for r in verify_reads] == ["/v2/Services"] * 2


def test_an_empty_account_is_said_unproven_and_the_first_create_proves_it(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
) -> None:
    plan = run_cli("plan", ".", "--env", "production", "--no-color")
    assert plan.exit_code == 0, plan.stderr
    assert UNPROVEN in plan.stderr.splitlines()
    applied = run_cli("apply", ".", "--env", "production", "--auto-approve", "--no-color")
    assert applied.exit_code == 0, applied.stderr
    assert set(names(emulator, PROD, PROD_TOKEN)) == {"Acme Login", "Acme Payments"}


def test_a_standard_key_of_another_empty_account_stops_at_its_first_create(
    emulator: EmulatorServer,
    repo: Path,  # noqa: F811
) -> None:
    (repo / "environments.yaml").write_text(SWAPPED, encoding="utf-8")
    run = run_cli("apply", ".", "--env", "staging", "--auto-approve", "--no-color")

    assert run.exit_code == 3, run.stderr
    created = names(emulator, PROD, PROD_TOKEN)
    assert list(created) == ["Acme Login"]
    assert (
        "environment staging: the credentials belong to account AC…2222, not AC…1111: they created"
        f" service[Acme Login] ({created['Acme Login']}) there (delete it) and the run stopped at it"
    ) in run.stderr
    assert [w["path"] for w in writes(emulator, PROD)] == ["/v2/Services"]
    assert writes(emulator, STAGING) == []
