"""The `policy:` section: severities, thresholds, exceptions with reasons, and its mistakes located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from tests.unit.lint.support import document, lint_json, load, service, write
from verifyctl.errors import ConfigError
from verifyctl.lint import run

SHORT = service("    code_length: 6\n")


def policy(body: str) -> str:
    return "policy:\n" + body


def test_a_threshold_raises_the_bar(tmp_path: Path) -> None:
    path = write(tmp_path, document(SHORT, policy=policy("  rules:\n    code-length: {min: 8}\n")))
    result, findings = lint_json(str(path))
    assert result.exit_code == 1
    assert [(f["rule"], f["line"], f["message"]) for f in findings] == [
        ("code-length", 4, "code_length is 6; set it to at least 8")
    ]


@pytest.mark.parametrize(
    ("severity", "exit_code", "count"), [("error", 1, 1), ("warning", 0, 1), ("info", 0, 1), ("off", 0, 0)]
)
def test_severity_overrides_the_default(severity: str, exit_code: int, count: int, tmp_path: Path) -> None:
    reason = ", reason: 'legacy handsets only'" if severity != "error" else ""
    rules = f"  rules:\n    code-length: {{severity: {severity}, min: 8{reason}}}\n"
    result, findings = lint_json(str(write(tmp_path, document(SHORT, policy=policy(rules)))))
    assert result.exit_code == exit_code
    assert [f["level"] for f in findings] == [severity] * count


def test_a_warning_raised_to_error_fails(tmp_path: Path) -> None:
    text = document(service("    code_length: 6\n", limit=False))
    assert lint_json(str(write(tmp_path, text)))[0].exit_code == 0
    raised = text + policy("  rules:\n    service-without-rate-limit: {severity: error}\n")
    result = run_cli("lint", str(write(tmp_path, raised)))
    assert result.exit_code == 1
    assert "verifyctl.yaml:3:5: error[service-without-rate-limit]: declares no rate limits" in result.stdout


def test_an_exception_waives_one_rule_for_one_service(tmp_path: Path) -> None:
    services = service("    code_length: 4\n", name="Legacy IVR") + service(
        "    code_length: 4\n", name="Acme Login"
    )
    reason = "IVR reads 4 digits; JIRA-123"
    waiver = f"  exceptions:\n    - {{rule: code-length, service: Legacy IVR, reason: '{reason}'}}\n"
    path = write(tmp_path, document(services, policy=policy(waiver)))
    result, findings = lint_json(str(path))
    assert result.exit_code == 1  # Acme Login is not waived
    assert [(f["service"], f["waived"]) for f in findings] == [
        ("Legacy IVR", reason),
        ("Acme Login", None),
    ]
    text = run_cli("lint", str(path)).stdout
    assert "Legacy IVR" not in text and text.endswith(
        "1 error, 0 warnings, 0 info (1 waived by a policy exception)\n"
    )


def test_waived_errors_do_not_block() -> None:
    waiver = "  exceptions:\n    - {rule: code-length, service: Acme Login, reason: accepted by security}\n"
    findings = run(load(document(service("    code_length: 4\n"), policy=policy(waiver))))
    assert findings.blocking() == [] and findings.exit_code() == 0


@pytest.mark.parametrize(
    "exception",
    ["{rule: code-length, service: Acme Login}", "{rule: code-length, service: Acme Login, reason: '  '}"],
)
def test_an_exception_without_a_reason_is_a_validation_error(exception: str, tmp_path: Path) -> None:
    text = document(SHORT, policy=policy(f"  exceptions:\n    - {exception}\n"))
    for command in ("lint", "validate"):
        result = run_cli(command, str(write(tmp_path, text)))
        assert result.exit_code == 1
        assert f"{tmp_path / 'verifyctl.yaml'}:12:" in result.stderr
        assert "policy.exceptions[0]" in result.stderr and "reason" in result.stderr


@pytest.mark.parametrize(
    ("rules", "where", "message"),
    [
        (
            "    code-lenght: {min: 8}\n",
            "12:5: policy.rules.code-lenght",
            "unknown rule 'code-lenght' (did you mean 'code-length'?)",
        ),
        (
            "    code-length: {minimum: 8}\n",
            "12:19: policy.rules.code-length.minimum",
            "unknown key 'minimum' for code-length (did you mean 'min'?)",
        ),
        ("    code-length: {min: eight}\n", "12:19: policy.rules.code-length.min", "must be an integer"),
        (
            "    code-length: {severity: fatal}\n",
            "12:19: policy.rules.code-length.severity",
            "must be 'error', 'warning', 'info' or 'off', not 'fatal'",
        ),
        (
            "    Code_Length: {}\n",
            "12:5: policy.rules.Code_Length",
            "unknown rule 'Code_Length' (did you mean 'code-length'?)",
        ),
    ],
)
def test_policy_mistakes_are_located(rules: str, where: str, message: str, tmp_path: Path) -> None:
    path = write(tmp_path, document(SHORT, policy=policy("  rules:\n" + rules)))
    result = run_cli("lint", str(path))
    assert result.exit_code == 1
    assert f"{path}:{where}: {message}" in result.stderr, result.stderr


def test_an_exception_for_an_unknown_rule_is_located() -> None:
    text = document(
        SHORT,
        policy=policy("  exceptions:\n    - {rule: code-lenth, service: Acme Login, reason: IVR hardware}\n"),
    )
    with pytest.raises(ConfigError) as caught:
        run(load(text))
    [problem] = caught.value.problems
    assert str(problem) == (
        "verifyctl.yaml:12:8: policy.exceptions[0].rule:"
        " unknown rule 'code-lenth' (did you mean 'code-length'?)"
    )


def test_the_policy_is_written_once_in_all_files(tmp_path: Path) -> None:
    write(tmp_path, document(SHORT), "a.yaml")
    write(tmp_path, "version: 1\npolicy:\n  rules: {}\n", "b.yaml")
    write(tmp_path, "version: 1\npolicy: {}\n", "c.yaml")
    assert run_cli("lint", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")).exit_code == 0
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'c.yaml'}:2:1: policy: the policy is written once in all files; first written at"
        in result.stderr
    )


def test_the_policy_may_live_in_its_own_file(tmp_path: Path) -> None:
    write(tmp_path, document(service("    code_length: 5\n")), "services.yaml")
    rules = "    code-length: {min: 5, reason: 'kiosks type five digits'}\n"
    write(tmp_path, "version: 1\npolicy:\n  rules:\n" + rules, "policy.yaml")
    assert run_cli("lint", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize(
    ("setting", "weakening"),
    [
        ("{severity: off}", "severity: off"),
        ("{severity: warning}", "severity: warning"),
        ("{severity: info}", "severity: info"),
        ("{min: 4}", "min: 4, looser than its default 6"),
    ],
)
def test_weakening_an_error_rule_needs_a_reason(setting: str, weakening: str, tmp_path: Path) -> None:
    path = write(tmp_path, document(SHORT, policy=policy(f"  rules:\n    code-length: {setting}\n")))
    for command in ("lint", "validate"):
        result = run_cli(command, str(path))
        assert result.exit_code == 1
        assert (
            f"{path}:12:5: policy.rules.code-length.reason: weakens the error rule code-length ({weakening}):"
            in (result.stderr)
        ), result.stderr
    given = setting[:-1] + ", reason: 'kiosk hardware reads four digits'}"
    write(tmp_path, document(SHORT, policy=policy(f"  rules:\n    code-length: {given}\n")))
    assert run_cli("lint", str(path)).exit_code == 0


@pytest.mark.parametrize("value", ["0", "-5", "11"])
def test_a_threshold_outside_the_api_range_is_refused_even_with_a_reason(value: str, tmp_path: Path) -> None:
    rules = f"  rules:\n    code-length: {{min: {value}, reason: 'four digit kiosks'}}\n"
    path = write(tmp_path, document(SHORT, policy=policy(rules)))
    result = run_cli("lint", str(path))
    assert result.exit_code == 1
    assert (
        f"policy.rules.code-length.min: must be between 4 and 10 (the API's range), not {value}"
        in result.stderr
    )


def test_strengthening_or_weakening_a_warning_needs_no_reason(tmp_path: Path) -> None:
    rules = (
        "  rules:\n    code-length: {min: 8}\n    totp-ranges: {max_skew: 1}\n"
        "    service-without-rate-limit: {severity: off}\n"
    )
    path = write(tmp_path, document(service("    code_length: 8\n"), policy=policy(rules)))
    assert run_cli("lint", str(path)).exit_code == 0


@pytest.mark.parametrize("reason", [".", "x", "ok", "JIRA-123", "  ", "12345 678"])
def test_a_reason_needs_words(reason: str, tmp_path: Path) -> None:
    waiver = f"  exceptions:\n    - {{rule: code-length, service: Acme Login, reason: '{reason}'}}\n"
    path = write(tmp_path, document(service("    code_length: 4\n"), policy=policy(waiver)))
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    assert "policy.exceptions[0].reason:" in result.stderr and "say why in words" in result.stderr


def test_every_policy_mistake_is_reported_in_one_run(tmp_path: Path) -> None:
    body = (
        "  rules:\n"
        "    code-lenght: {min: 8}\n"
        "    code-length: {severity: off}\n"
        "    totp-ranges: {severity: fatal, max_skew: 9}\n"
        "    webhook-https: {minimum: 1}\n"
        "  exceptions:\n"
        "    - {rule: code-length, service: Acme Login, reason: .}\n"
        "    - {rule: nope, service: Acme Login}\n"
        "    - {reason: legacy IVR hardware}\n"
    )
    path = write(tmp_path, document(SHORT, policy=policy(body)))
    result = run_cli("lint", str(path))
    assert result.exit_code == 1
    found = re.findall(r"verifyctl\.yaml:\d+:\d+: (\S+):", result.stderr)
    assert found == [
        "policy.rules.code-lenght",
        "policy.rules.code-length.reason",
        "policy.rules.totp-ranges.severity",
        "policy.rules.totp-ranges.max_skew",
        "policy.rules.webhook-https.minimum",
        "policy.exceptions[0].reason",
        "policy.exceptions[1].reason",
        "policy.exceptions[1].rule",
        "policy.exceptions[2].rule",
        "policy.exceptions[2].service",
    ], result.stderr
