"""Helpers for the lint tests: write a configuration, run `verifyctl lint` in-process, read its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.conftest import Run, run_cli
from verifyctl.config.loader import Config, load_sources

# A rate limit that no rule objects to, for fixtures about something else.
GOOD_LIMIT = """\
    rate_limits:
      - unique_name: per_phone
        buckets:
          - {interval: 60, max: 5}
          - {interval: 3600, max: 20}
"""


def service(body: str, name: str = "Acme Login", limit: bool = True) -> str:
    """One service with `body` (indented four spaces) and, unless told, a rate limit no rule objects to."""
    return f"  - friendly_name: {name}\n{body}{GOOD_LIMIT if limit else ''}"


def document(*services: str, policy: str = "") -> str:
    return "version: 1\nservices:\n" + "".join(services) + policy


def write(directory: Path, text: str, name: str = "verifyctl.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def lint_json(*args: str) -> tuple[Run, list[dict[str, Any]]]:
    """`verifyctl lint ARGS --format json`: the run and its findings."""
    run = run_cli("lint", *args, "--format", "json")
    findings = json.loads(run.stdout)["findings"] if run.stdout else []
    return run, findings


def load(text: str, name: str = "verifyctl.yaml") -> Config:
    return load_sources([(name, text.encode())], {})
