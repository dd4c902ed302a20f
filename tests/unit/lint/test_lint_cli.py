"""`verifyctl lint` formats and exit codes, `--explain`, validate failing on policy errors, docs/policy.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from tests.unit.lint.support import document, load, service, write
from verifyctl.errors import EXIT_REFUSED, PolicyRefusedError
from verifyctl.lint import RULES, run
from verifyctl.lint.docs import DOC_PATH, rules_markdown, with_rules

ROOT = Path(__file__).resolve().parents[3]
# Line 4: an error (code-length); line 6: a warning (webhook-disabled); line 7: an info (psd2-noted).
MIXED = document(
    service(
        "    code_length: 4\n    webhooks:\n"
        "      - {friendly_name: 'audit, v2', event_types: ['*'], webhook_url: 'https://h.example',"
        " status: disabled}\n"
        "    psd2_enabled: true\n"
    ),
    policy="policy:\n  exceptions:\n"
    "    - {rule: psd2-noted, service: Acme Login, reason: 'payments team: amount sent'}\n",
)


def test_text_lists_each_finding_at_its_place_then_the_counts(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED)
    result = run_cli("lint", str(path))
    assert result.exit_code == 1 and result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{path}:4:5: error[code-length]: code_length is 4; set it to at least 6",
        f"{path}:6:92: warning[webhook-disabled]: webhook 'audit, v2' is disabled, so it delivers nothing;"
        " enable it or remove it from the configuration",
        "1 error, 1 warning, 0 info (1 waived by a policy exception)",
    ]


def test_github_annotations_escape_their_properties(tmp_path: Path) -> None:
    path = write(tmp_path, MIXED, "login,eu.yaml")
    result = run_cli("lint", str(path), "--format", "github")
    assert result.exit_code == 1
    escaped = str(path).replace(",", "%2C")
    assert escaped.endswith("/login%2Ceu.yaml")
    assert result.stdout.splitlines() == [
        f"::error file={escaped},line=4,col=5,title=verifyctl code-length::"
        "code_length is 4; set it to at least 6",
        f"::warning file={escaped},line=6,col=92,title=verifyctl webhook-disabled::webhook 'audit, v2' is"
        " disabled, so it delivers nothing; enable it or remove it from the configuration",
    ]


def test_json_has_every_finding_and_the_counts(tmp_path: Path) -> None:
    result = run_cli("lint", str(write(tmp_path, MIXED)), "--format", "json")
    document_ = json.loads(result.stdout)
    assert document_["format_version"] == 1
    assert [(f["rule"], f["level"], f["waived"]) for f in document_["findings"]] == [
        ("code-length", "error", None),
        ("webhook-disabled", "warning", None),
        ("psd2-noted", "info", "payments team: amount sent"),
    ]
    assert document_["summary"] == {"error": 1, "warning": 1, "info": 0, "waived": 1}


@pytest.mark.parametrize(("strict", "exit_code"), [(False, 0), (True, 1)])
def test_strict_fails_on_warnings(strict: bool, exit_code: int, tmp_path: Path) -> None:
    path = write(tmp_path, document(service("    code_length: 6\n", limit=False)))
    assert run_cli("lint", str(path), *(["--strict"] if strict else [])).exit_code == exit_code


def test_no_findings(tmp_path: Path) -> None:
    result = run_cli("lint", str(write(tmp_path, document(service("    code_length: 6\n")))))
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings, 0 info\n")


@pytest.mark.parametrize("rule", [rule.id for rule in RULES])
def test_explain_each_rule(rule: str) -> None:
    result = run_cli("lint", "--explain", rule)
    [found] = [r for r in RULES if r.id == rule]
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(f"{rule} (default level: {found.level}; runs ")
    flat = " ".join(result.stdout.split())
    assert found.summary in flat and found.explanation in flat
    assert not re.search(r"https?://\w|www\.", result.stdout)  # link-free
    for threshold in found.thresholds:
        assert f"  {threshold} (default " in result.stdout
    assert f"- {{rule: {rule}, service: SERVICE NAME, reason: WHY IT IS ACCEPTED}}" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--explain", "code-lenght"], "unknown rule 'code-lenght' (did you mean 'code-length'?)"),
        (["--explain", "code-length", "verifyctl.yaml"], "--explain RULE takes no PATHS"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_usage_errors_exit_64(args: list[str], words: str) -> None:
    result = run_cli("lint", *args)
    assert result.exit_code == 64 and words in result.stderr


def test_validate_fails_on_error_level_findings_only(tmp_path: Path) -> None:
    path = write(tmp_path, document(service("    code_length: 4\n", limit=False)))
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}:4:5: error[code-length]: code_length is 4; set it to at least 6",
        "1 policy error found in the configuration;"
        " fix it, or waive the rule for its service in policy.exceptions",
    ]
    warnings_only = write(tmp_path, document(service("    code_length: 6\n", limit=False)))
    assert run_cli("validate", str(warnings_only)).exit_code == 0


def test_apply_refusal_is_exit_3_and_lists_the_findings() -> None:
    findings = run(load(document(service("    code_length: 4\n"))))
    # apply refuses with the plan's blocking findings, which are these (tests/integration/engine).
    refusal = PolicyRefusedError([str(f) for f in findings.blocking()])
    assert refusal.exit_code == EXIT_REFUSED
    assert (
        str(refusal).splitlines()[0]
        == "verifyctl.yaml:4:5: error[code-length]: code_length is 4; set it to at least 6"
    )
    assert "nothing was applied" in str(refusal)


def test_docs_policy_page_lists_every_rule_from_the_rule_table() -> None:
    page = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert with_rules(page) == page, (
        f"{DOC_PATH} is out of date: regenerate its table with verifyctl.lint.docs"
    )
    table = rules_markdown()
    for rule in RULES:
        assert f"| `{rule.id}` | {rule.level} |" in table
