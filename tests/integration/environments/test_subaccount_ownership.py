"""A parent's credentials can read its subaccounts, but Verify requests with them go to the parent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

pytestmark = pytest.mark.usefixtures("instant_waits")

PARENT, PARENT_TOKEN = "AC" + "7" * 32, "t" * 32
MAIN_KEY, MAIN_SECRET = "SK" + "8" * 32, "m" * 32
EMULATOR_OPTIONS = {
    "accounts": [(PARENT, PARENT_TOKEN, "Acme Parent")],
    "api_keys": [(MAIN_KEY, MAIN_SECRET, PARENT, "main")],
    "subaccounts": {PARENT: ["tenant-a"]},
}
SERVICES = "version: 1\nservices:\n  - friendly_name: Acme Login\n    environments: [tenant]\n"


def environment(sid: str, credentials: str) -> str:
    return (
        f"version: 1\nenvironments:\n  tenant:\n    account_sid: {sid}\n    credentials: {{{credentials}}}\n"
    )


@pytest.fixture
def folder(emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name in ("VERIFYCTL_LOCAL", "VERIFYCTL_ENV", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VERIFYCTL_API_URL", emulator.base_url)
    monkeypatch.setenv("KEY", MAIN_KEY)
    monkeypatch.setenv("SECRET", MAIN_SECRET)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "services.yaml").write_text(SERVICES, encoding="utf-8")
    return tmp_path


def services_of(emulator: EmulatorServer, sid: str, token: str) -> list[str]:
    import requests

    answer = requests.get(emulator.base_url + "/v2/Services", auth=(sid, token), timeout=10)
    answer.raise_for_status()
    return [service["friendly_name"] for service in answer.json()["services"]]


def test_a_parents_key_under_a_subaccounts_sid_is_refused_before_any_write(
    emulator: EmulatorServer, folder: Path
) -> None:
    ((sub, sub_token, _),) = emulator.subaccounts(PARENT)
    (folder / "environments.yaml").write_text(
        environment(sub, "api_key_env: KEY, api_secret_env: SECRET"), encoding="utf-8"
    )
    applied = run_cli("apply", ".", "--env", "tenant", "--auto-approve", "--no-color")

    assert applied.exit_code == 3, applied.stdout + applied.stderr
    # As docs/environments.md shows it ("The account check").
    assert applied.stderr.strip() == (
        f"Error: environment tenant: the credentials in KEY/SECRET belong to account AC…{PARENT[-4:]}, not"
        f" AC…{sub[-4:]} as its account_sid says; a parent's credentials read its subaccounts, but Verify"
        " requests with them reach the parent's own services: use the subaccount's own credentials (or a"
        " fleet environment); nothing was written"
    )
    assert not [r for r in emulator.requests() if r["method"] != "GET"]
    assert services_of(emulator, PARENT, PARENT_TOKEN) == []


def test_a_subaccounts_own_token_plans_and_applies(emulator: EmulatorServer, folder: Path) -> None:
    ((sub, sub_token, _),) = emulator.subaccounts(PARENT)
    (folder / "environments.yaml").write_text(environment(sub, "auth_token_env: SUB_TOKEN"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUB_TOKEN", sub_token)
        applied = run_cli("apply", ".", "--env", "tenant", "--auto-approve", "--no-color")

    assert applied.exit_code == 0, applied.stderr
    assert services_of(emulator, sub, sub_token) == ["Acme Login"]
    assert services_of(emulator, PARENT, PARENT_TOKEN) == []


def test_the_parents_key_under_its_own_sid_is_its_own(emulator: EmulatorServer, folder: Path) -> None:
    (folder / "environments.yaml").write_text(
        environment(PARENT, "api_key_env: KEY, api_secret_env: SECRET"), encoding="utf-8"
    )
    assert run_cli("apply", ".", "--env", "tenant", "--auto-approve").exit_code == 0
    assert services_of(emulator, PARENT, PARENT_TOKEN) == ["Acme Login"]


def test_an_account_token_in_an_answer_is_never_logged(emulator: EmulatorServer, folder: Path) -> None:
    """A Main key reads the account resource, which carries the account's auth token: -vv masks it."""
    ((sub, sub_token, _),) = emulator.subaccounts(PARENT)
    (folder / "environments.yaml").write_text(
        environment(PARENT, "api_key_env: KEY, api_secret_env: SECRET"), encoding="utf-8"
    )
    for run in (
        run_cli("plan", ".", "--env", "tenant", "-vv"),
        run_cli("plan", ".", "--env", "tenant", "-vv", "--log-format", "json"),
    ):
        assert run.exit_code == 0, run.stderr
        assert f"GET /2010-04-01/Accounts/{PARENT}.json" in run.stderr
        assert '"auth_token": "***"' in run.stderr or '\\"auth_token\\": \\"***\\"' in run.stderr
        assert PARENT_TOKEN not in run.stderr + run.stdout
