"""Fixtures of the action's tests: a fake runner, and a fake GitHub API with a pull request."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.action.support import CONFIG, ROOT, FakeGitHub, clean_environment


@pytest.fixture
def runner(tmp_path: Path) -> dict[str, str]:
    """A fake runner: temp folder, output and summary files, and `verifyctl` as this interpreter runs it."""
    verifyctl = tmp_path / "bin" / "verifyctl"
    verifyctl.parent.mkdir()
    verifyctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m verifyctl "$@"\n', encoding="utf-8")
    verifyctl.chmod(0o755)
    (tmp_path / "runner-temp").mkdir()
    (tmp_path / "repo" / "verify").mkdir(parents=True)
    (tmp_path / "repo" / "verify" / "verifyctl.yaml").write_text(CONFIG, encoding="utf-8")
    return {
        **clean_environment(),
        "PYTHONPATH": str(ROOT),
        "ACTION_VERIFYCTL": str(verifyctl),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary"),
    }


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A fake GitHub API alone, stopped after the test: the recipes' workflows are pointed at it."""
    fake = FakeGitHub()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def github(runner: dict[str, str], tmp_path: Path) -> Iterator[tuple[FakeGitHub, dict[str, str]]]:
    fake = FakeGitHub()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    env = {
        **runner,
        "GITHUB_API_URL": fake.url,
        "GITHUB_REPOSITORY": "acme/verify-config",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_TOKEN": "ghs_fake-token",
    }
    try:
        yield fake, env
    finally:
        fake.close()
