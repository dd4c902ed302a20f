"""The `policy:` section: severities, thresholds, exceptions with reasons, and its mistakes located."""

from __future__ import annotations

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
    rules = f"  rules:\n    code-length: {{severity: {severity}, min: 8}}\n"
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
    waiver = "  exceptions:\n    - {rule: code-length, service: Acme Login, reason: accepted}\n"
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
            "12:29: policy.rules.code-length.severity",
            "must be 'error', 'warning', 'info' or 'off'",
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
        SHORT, policy=policy("  exceptions:\n    - {rule: code-lenth, service: Acme Login, reason: x}\n")
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
    write(tmp_path, "version: 1\npolicy:\n  rules:\n    code-length: {min: 5}\n", "policy.yaml")
    assert run_cli("lint", str(tmp_path)).exit_code == 0
