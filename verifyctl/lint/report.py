"""Findings as text, JSON and GitHub workflow commands (strings only; the CLI prints them)."""

from __future__ import annotations

import json

from verifyctl.lint.findings import LEVELS, Findings

JSON_FORMAT_VERSION = 1
# GitHub annotations know error, warning and notice.
_GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def text(findings: Findings) -> str:
    """One `FILE:LINE:COL: level[rule]: message` line per active finding, then the counts."""
    lines = [str(finding) for finding in findings.active]
    return "\n".join([*lines, findings.summary()]) + "\n"


def as_json(findings: Findings) -> str:
    """Every finding (waived ones with their reason) and the counts, as a stable JSON document."""
    counts: dict[str, int] = {level: len(findings.at_level(level)) for level in LEVELS}
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "findings": [
            {
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "file": f.file,
                "line": f.line,
                "column": f.column,
                "service": f.service,
                "waived": f.excepted,
            }
            for f in findings
        ],
        "summary": {**counts, "waived": len(findings.excepted)},
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Findings) -> str:
    """`::error file=F,line=L,col=C,title=verifyctl RULE::message` per active finding (annotations)."""
    lines = []
    for f in findings.active:
        properties = ",".join(
            [
                f"file={_escape_property(f.file)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'verifyctl {f.rule}')}",
            ]
        )
        lines.append(f"::{_GITHUB_LEVELS[f.level]} {properties}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in lines)
