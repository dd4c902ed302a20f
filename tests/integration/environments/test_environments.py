"""Named environments against ONE emulator serving two accounts: plan --env all, apply, renames, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import yaml

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

STAGING, PROD = "AC" + "1" * 32, "AC" + "2" * 32
STAGING_TOKEN, PROD_TOKEN = "s" * 32, "p" * 32
# A Standard key (refused /Accounts, as on Twilio), a Main one and a read-only (Restricted) one.
PROD_KEY, PROD_SECRET = "SK" + "3" * 32, "k" * 32
PROD_MAIN_KEY, PROD_MAIN_SECRET = "SK" + "4" * 32, "m" * 32
PROD_READ_KEY, PROD_READ_SECRET = "SK" + "5" * 32, "r" * 32
EMULATOR_OPTIONS = {
    "accounts": [(STAGING, STAGING_TOKEN, "Acme Staging"), (PROD, PROD_TOKEN, "Acme Production")],
    "api_keys": [
        (PROD_KEY, PROD_SECRET, PROD),
        (PROD_MAIN_KEY, PROD_MAIN_SECRET, PROD, "main"),
        (PROD_READ_KEY, PROD_READ_SECRET, PROD, "read-only"),
    ],
}

ENVIRONMENTS = f"""\
version: 1
environments:
  staging:
    account_sid: {STAGING}
    credentials: {{auth_token_env: STAGING_TOKEN}}
    vars: {{AUDIT_URL: "https://hooks.staging.example/verify"}}
  production:
    account_sid: {PROD}
    credentials: {{api_key_env: PROD_KEY, api_secret_env: PROD_SECRET}}
    vars: {{AUDIT_URL: "https://hooks.example/verify"}}
"""
SERVICES = """\
version: 1
services:
  - friendly_name: Acme Login
    formerly: ["Acme Sign-in"]
    code_length: 6
    webhooks:
      - friendly_name: audit
        webhook_url: "${AUDIT_URL}"
        event_types: [challenge.approved]
        status: enabled
  - friendly_name: Acme Payments
    environments: [production]
    code_length: 8
"""


@pytest.fixture
def repo(emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with both files; the credentials in the variables the environments name."""
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VERIFYCTL_LOCAL", "VERIFYCTL_ENV", "NO_COLOR", "AUDIT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STAGING_TOKEN", STAGING_TOKEN)
    monkeypatch.setenv("PROD_KEY", PROD_KEY)
    monkeypatch.setenv("PROD_SECRET", PROD_SECRET)
    # Both environments point at the one emulator: --api-url's variable overrides their own api_url.
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments.yaml").write_text(ENVIRONMENTS, encoding="utf-8")
    (tmp_path / "services.yaml").write_text(SERVICES, encoding="utf-8")
    return tmp_path


def names(emulator: EmulatorServer, sid: str, token: str) -> dict[str, str]:
    """Friendly name -> SID of an account's live services, read with its own credentials."""
    reply = requests.get(f"{emulator.base_url}/v2/Services", auth=(sid, token), timeout=5)
    reply.raise_for_status()
    return {s["friendly_name"]: s["sid"] for s in reply.json()["services"]}


def writes(emulator: EmulatorServer, account: str) -> list[dict[str, object]]:
    return [
        r
        for r in emulator.requests()
        if r["account_sid"] == account
        and r["method"] in ("POST", "DELETE")
        and str(r["path"]).startswith("/v2/")
    ]


def create(emulator: EmulatorServer, sid: str, token: str, name: str) -> str:
    reply = requests.post(f"{emulator.base_url}/v2/Services", data={"FriendlyName": name}, auth=(sid, token))
    reply.raise_for_status()
    return str(reply.json()["sid"])


def test_plan_env_all_shows_one_section_per_environment(emulator: EmulatorServer, repo: Path) -> None:
    run = run_cli("plan", ".", "--env", "all", "--detailed-exitcode", "--no-color")
    assert run.exit_code == 2, run.stderr
    staging, production = run.stdout.split("=== environment production ===")
    assert staging.startswith("=== environment staging ===")
    assert "Environment: staging" in staging and "AC…1111" in staging
    assert "Environment: production" in production and "AC…2222" in production
    # Only production has Acme Payments.
    assert "service[Acme Payments]" not in staging
    assert "+ service[Acme Payments]" in production
    assert "https://hooks.staging.example/verify" in staging
    assert "https://hooks.example/verify" in production
    assert writes(emulator, STAGING) == writes(emulator, PROD) == []


def test_apply_per_environment_converges(emulator: EmulatorServer, repo: Path) -> None:
    for env in ("staging", "production"):
        applied = run_cli("apply", ".", "--env", env, "--auto-approve", "--no-color")
        assert applied.exit_code == 0, applied.stderr
    assert set(names(emulator, STAGING, STAGING_TOKEN)) == {"Acme Login"}
    assert set(names(emulator, PROD, PROD_TOKEN)) == {"Acme Login", "Acme Payments"}
    again = run_cli("plan", ".", "--env", "all", "--detailed-exitcode", "--no-color")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert again.stdout.count("No changes.") == 2


def test_a_production_main_key_configured_for_staging_is_refused(
    emulator: EmulatorServer, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Main key reads /Accounts: the refusal comes before anything of production is listed.
    monkeypatch.setenv("PROD_KEY", PROD_MAIN_KEY)
    monkeypatch.setenv("PROD_SECRET", PROD_MAIN_SECRET)
    swapped = ENVIRONMENTS.replace(
        "credentials: {auth_token_env: STAGING_TOKEN}",
        "credentials: {api_key_env: PROD_KEY, api_secret_env: PROD_SECRET}",
    )
    (repo / "environments.yaml").write_text(swapped, encoding="utf-8")
    for command in (["plan"], ["apply", "--auto-approve"]):
        run = run_cli(*command, ".", "--env", "staging", "--no-color")
        assert run.exit_code == 3, run.stderr
        assert "belong to account AC…2222, not AC…1111" in run.stderr
        assert "PROD_KEY" in run.stderr and PROD_MAIN_SECRET not in run.stderr
    assert writes(emulator, STAGING) == writes(emulator, PROD) == []
    # Nothing of production was even listed with them.
    assert not [r for r in emulator.requests() if str(r["path"]).startswith("/v2/")]


def test_formerly_renames_in_both_environments_with_one_update_each(
    emulator: EmulatorServer, repo: Path
) -> None:
    old = {
        STAGING: create(emulator, STAGING, STAGING_TOKEN, "Acme Sign-in"),
        PROD: create(emulator, PROD, PROD_TOKEN, "Acme Sign-in"),
    }
    plan = run_cli("plan", ".", "--env", "all", "--no-color")
    assert plan.stdout.count('~ friendly_name = "Acme Sign-in" -> "Acme Login"') == 2, plan.stdout
    emulator.clear_requests()
    for env in ("staging", "production"):
        applied = run_cli(
            "apply", ".", "--env", env, "--auto-approve", "--no-color", "--target", "service[Acme Login]"
        )
        assert applied.exit_code == 0, applied.stderr
    for account, token in ((STAGING, STAGING_TOKEN), (PROD, PROD_TOKEN)):
        service_writes = [w for w in writes(emulator, account) if w["path"] == f"/v2/Services/{old[account]}"]
        assert len(service_writes) == 1
        assert "FriendlyName" in service_writes[0]["params"]
        assert names(emulator, account, token)["Acme Login"] == old[account]


def test_a_close_name_hints_at_formerly(emulator: EmulatorServer, repo: Path) -> None:
    create(emulator, STAGING, STAGING_TOKEN, "Acme Logon")
    plan = run_cli("plan", ".", "--env", "staging", "--no-color")
    assert "+ service[Acme Login]" in plan.stdout
    assert "'Acme Logon'" in plan.stdout and 'formerly: ["Acme Logon"]' in plan.stdout


def test_output_env_gives_the_sids_show_lists(emulator: EmulatorServer, repo: Path) -> None:
    for env in ("staging", "production"):
        assert run_cli("apply", ".", "--env", env, "--auto-approve").exit_code == 0
    shown = run_cli("show", ".", "--env", "production", "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    listed = {s["friendly_name"]: s["sid"] for s in json.loads(shown.stdout)["services"]}
    assert set(listed) == {"Acme Login", "Acme Payments"}
    assert listed == names(emulator, PROD, PROD_TOKEN)
    output = run_cli("output", ".", "--env", "production", "--format", "env")
    assert output.stdout.splitlines() == [
        f"ACME_LOGIN_VERIFY_SERVICE_SID={listed['Acme Login']}",
        f"ACME_PAYMENTS_VERIFY_SERVICE_SID={listed['Acme Payments']}",
    ]
    both = json.loads(run_cli("output", ".", "--env", "all", "--format", "json").stdout)
    assert both["production"] == listed
    assert set(both["staging"]) == {"Acme Login"} and both["staging"]["Acme Login"] != listed["Acme Login"]
    text = run_cli("show", ".", "--env", "staging").stdout
    assert "webhook[audit]" in text and "Acme Payments" not in text


def test_a_saved_plan_applies_to_its_own_environment_only(emulator: EmulatorServer, repo: Path) -> None:
    saved = run_cli("plan", ".", "--env", "staging", "--out", "staging.json")
    assert saved.exit_code == 0, saved.stderr
    assert json.loads((repo / "staging.json").read_text())["environment"] == "staging"
    other = run_cli("apply", ".", "--plan", "staging.json", "--env", "production")
    assert other.exit_code == 3 and "environment staging, not production" in other.stderr
    assert writes(emulator, PROD) == []
    applied = run_cli("apply", ".", "--plan", "staging.json")
    assert applied.exit_code == 0, applied.stderr
    assert set(names(emulator, STAGING, STAGING_TOKEN)) == {"Acme Login"}


def test_without_env_the_environments_are_listed(emulator: EmulatorServer, repo: Path) -> None:
    run = run_cli("plan", ".")
    assert run.exit_code == 64
    assert "production, staging" in run.stderr and "--env" in run.stderr
    unknown = run_cli("plan", ".", "--env", "qa")
    assert unknown.exit_code == 64 and "no such environment" in unknown.stderr


def test_var_wins_over_the_environment_vars(emulator: EmulatorServer, repo: Path) -> None:
    (repo / "more.vars").write_text("AUDIT_URL: https://file.example/verify\n", encoding="utf-8")
    from_file = run_cli("plan", ".", "--env", "staging", "--var-file", "more.vars", "--no-color")
    assert "https://file.example/verify" in from_file.stdout
    both = run_cli(
        "plan", ".", "--env", "staging", "--var-file", "more.vars", "--var", "AUDIT_URL=https://cli.example/v"
    )
    assert "https://cli.example/v" in both.stdout


def test_validate_passes_with_no_variable_set(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STAGING_TOKEN", "PROD_KEY", "PROD_SECRET", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name)
    run = run_cli("validate", ".")
    assert run.exit_code == 0, run.stderr
    assert "environments: staging, production" in run.stdout


def test_the_pre_commit_hooks_pass_on_the_environments_example(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parents[3]
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for name in ("SIGNUP_CODE_LENGTH", "AUDIT_URL", "SMS_MSG_SERVICE", "VERIFYCTL_ENV"):
        monkeypatch.delenv(name, raising=False)
    for hook in hooks:
        program, *args = hook["entry"].split()
        assert program == "verifyctl"
        run = run_cli(*args, str(root / "examples" / "environments"))
        assert run.exit_code == 0, (hook["id"], run.stdout, run.stderr)


def test_local_stands_in_for_an_environment_without_credentials(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("STAGING_TOKEN", "PROD_KEY", "PROD_SECRET", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name)
    production = run_cli("plan", ".", "--local", "--env", "production", "--no-color")
    assert production.exit_code == 0, production.stderr
    assert "+ service[Acme Payments]" in production.stdout and "Environment: production" in production.stdout
    first = run_cli("plan", ".", "--local", "--no-color")
    assert "stands in for environment staging" in first.stderr
    assert "Acme Payments" not in first.stdout
    assert run_cli("plan", ".", "--local", "--env", "all").exit_code == 64
