"""Apply reports read back in tests, each held to the published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "apply-report.schema.json").read_text(encoding="utf-8"))


def report_of(path: Path) -> dict[str, Any]:
    """The report at `path`, which must hold to the published schema."""
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return report
