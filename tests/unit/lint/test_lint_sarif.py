"""`verifyctl lint --format sarif` validates against the SARIF 2.1.0 JSON Schema and locates every finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.integration.conftest import run_cli
from tests.unit.lint.support import document, service, write
from verifyctl.lint import RULES

SCHEMA_PATH = Path(__file__).parent / "vendor" / "sarif" / "sarif-schema-2.1.0.json"
WAIVER = (
    "policy:\n  exceptions:\n"
    "    - {rule: psd2-noted, service: Acme Login, reason: 'amount and payee are sent'}\n"
)
TEXT = document(
    service("    code_length: 4\n    psd2_enabled: true\n"),
    service("    code_length: 6\n", name="Acme Checkout", limit=False),
    policy=WAIVER,
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def run_of(log: dict[str, Any]) -> dict[str, Any]:
    [run] = log["runs"]
    return dict(run)


def sarif_of(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("lint", *args, str(path), "--format", "sarif")
    return result.exit_code, json.loads(result.stdout)


def test_the_log_validates_and_lists_every_rule(
    validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    exit_code, log = sarif_of(write(tmp_path, TEXT))
    assert exit_code == 1
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    # The schema has teeth: a driver without a name, a result without a message are refused.
    assert list(validator.iter_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}))
    broken = {**run_of(log), "results": [{"ruleId": "code-length"}]}
    assert list(validator.iter_errors({**log, "runs": [broken]}))
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "verifyctl"
    assert [r["id"] for r in driver["rules"]] == [rule.id for rule in RULES]
    assert {r["defaultConfiguration"]["level"] for r in driver["rules"]} <= {"error", "warning", "note"}


def test_each_result_points_at_its_rule_and_its_place(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT)
    _, log = sarif_of(path)
    [run] = log["runs"]
    results = [
        (
            r["ruleId"],
            run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
            [s["justification"] for s in r.get("suppressions", [])],
        )
        for r in run["results"]
    ]
    uri = "file://" + str(path)
    assert results == [
        ("code-length", "code-length", "error", uri, {"startLine": 4, "startColumn": 5}, []),
        (
            "psd2-noted",
            "psd2-noted",
            "note",
            uri,
            {"startLine": 5, "startColumn": 5},
            ["amount and payee are sent"],
        ),
        (
            "service-without-rate-limit",
            "service-without-rate-limit",
            "warning",
            uri,
            {"startLine": 11, "startColumn": 5},
            [],
        ),
    ]


def test_relative_paths_stay_relative_for_code_scanning(
    validator: jsonschema.Draft4Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "verify dir").mkdir()
    write(tmp_path / "verify dir", TEXT, "login.yaml")
    monkeypatch.chdir(tmp_path)
    _, log = sarif_of(Path("verify dir"))
    assert not list(validator.iter_errors(log))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert uris == {"verify%20dir/login.yaml"}


def test_a_clean_configuration_is_an_empty_valid_log(
    validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    exit_code, log = sarif_of(write(tmp_path, document(service("    code_length: 6\n"))))
    assert exit_code == 0 and log["runs"][0]["results"] == []
    assert not list(validator.iter_errors(log))
