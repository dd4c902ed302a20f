"""Findings as SARIF 2.1.0, the format GitHub code scanning reads: rules in tool.driver, results located."""

from __future__ import annotations

import json
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from verifyctl.lint.findings import Finding, Findings
from verifyctl.lint.rules import RULES

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(file: str) -> str:
    """A relative file stays relative (code scanning resolves it against the repository root)."""
    path = PurePath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(PurePosixPath(*path.parts).as_posix())


def _rule(index: int) -> dict[str, Any]:
    rule = RULES[index]
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": f"{rule.summary}\n\n{rule.explanation}"},
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {"tags": ["verifyctl", "twilio-verify", "live" if rule.live else "offline"]},
    }


def _result(finding: Finding) -> dict[str, Any]:
    index = next(i for i, rule in enumerate(RULES) if rule.id == finding.rule)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _LEVELS[finding.level],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.file)},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
    }
    if finding.excepted is not None:
        # A policy exception lives in the configuration, outside the flagged object: an "external" waiver.
        result["suppressions"] = [{"kind": "external", "justification": finding.excepted}]
    return result


def sarif(findings: Findings, tool_version: str) -> str:
    """One run of the `verifyctl` driver with every rule and every finding (waived ones as suppressed)."""
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "verifyctl",
                        "version": tool_version,
                        "rules": [_rule(i) for i in range(len(RULES))],
                    }
                },
                "results": [_result(f) for f in findings],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
