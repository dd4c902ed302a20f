"""`default_template: NAME` against the emulator's built-in templates: plan, apply, --target, bad names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.commands.support import api
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

# No other writer races these applies: their waits for one are skipped (instant_waits, conftest.py).
pytestmark = pytest.mark.usefixtures("instant_waits")

NAME = "Base Verification Template 3"


def write(workdir: Path, *services: str) -> None:
    (workdir / "verifyctl.yaml").write_text("version: 1\nservices:\n" + "".join(services), encoding="utf-8")


def service(name: str, template: str | None = None) -> str:
    line = f"    default_template: {template}\n" if template else ""
    return f"  - friendly_name: {name}\n    code_length: 6\n{line}"


def template_sid(server: EmulatorServer, name: str) -> str:
    [match] = [t for t in api(server, "GET", "/v2/Templates")["templates"] if t["friendly_name"] == name]
    return str(match["sid"])


def template_reads(server: EmulatorServer) -> int:
    return sum(1 for r in server.requests() if r["path"] == "/v2/Templates")


def test_a_template_name_is_applied_as_its_sid(account: EmulatorServer, workdir: Path) -> None:
    expected = template_sid(account, NAME)
    write(workdir, service("Login", NAME))
    account.clear_requests()
    plan = run_cli("plan", "--no-color")
    assert plan.exit_code == 0, plan.stderr
    assert f"+ default_template_sid = {expected}" in plan.stdout.replace('"', "")
    assert template_reads(account) == 1

    assert run_cli("apply", "--auto-approve").exit_code == 0
    [live] = api(account, "GET", "/v2/Services")["services"]
    assert live["default_template_sid"] == expected
    assert run_cli("plan", "--detailed-exitcode").exit_code == 0

    # Drift on the template is seen and corrected through the name.
    api(
        account,
        "POST",
        f"/v2/Services/{live['sid']}",
        {"DefaultTemplateSid": template_sid(account, "Base Verification Template")},
    )
    assert run_cli("plan", "--detailed-exitcode").exit_code == 2
    assert run_cli("apply", "--auto-approve").exit_code == 0
    assert api(account, "GET", f"/v2/Services/{live['sid']}")["default_template_sid"] == expected


def test_templates_are_not_read_when_no_service_names_one(account: EmulatorServer, workdir: Path) -> None:
    write(workdir, service("Login"))
    account.clear_requests()
    assert run_cli("apply", "--auto-approve").exit_code == 0
    assert run_cli("plan").exit_code == 0
    assert template_reads(account) == 0


def test_an_unknown_name_fails_plan_and_apply_naming_candidates(
    account: EmulatorServer, workdir: Path
) -> None:
    write(workdir, service("Login", "base verification template 3"))
    for command in (["plan"], ["apply", "--auto-approve"]):
        failed = run_cli(*command)
        assert failed.exit_code == 1
        assert (
            "Error: service[Login] (verifyctl.yaml:3:5): default_template 'base verification template 3'"
            in (failed.stderr)
        )
        assert f"did you mean {NAME!r}" in failed.stderr
    assert api(account, "GET", "/v2/Services")["services"] == []


def test_target_resolves_only_the_services_in_scope(account: EmulatorServer, workdir: Path) -> None:
    write(workdir, service("Login", NAME), service("Broken", "No Such Template"))
    account.clear_requests()
    targeted = run_cli("apply", "--target", "service[Login]", "--auto-approve")
    assert targeted.exit_code == 0, targeted.stderr
    [live] = api(account, "GET", "/v2/Services")["services"]
    assert (live["friendly_name"], live["default_template_sid"]) == ("Login", template_sid(account, NAME))
    assert run_cli("plan", "--target", "service[Login]", "--detailed-exitcode").exit_code == 0
    assert "No Such Template" in run_cli("plan", "--target", "service[Broken]").stderr
