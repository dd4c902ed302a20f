"""The shipped examples load together as one account with no environment, and the schema accepts each."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from verifyctl.config.loader import load_config
from verifyctl.config.schema import json_schema

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml"))


def test_there_are_at_least_three_examples() -> None:
    assert len(EXAMPLE_FILES) >= 3


def test_examples_load_together_with_no_environment() -> None:
    config = load_config([EXAMPLES], {})
    assert config.files == EXAMPLE_FILES
    names = [s.friendly_name for s in config.services]
    assert len(names) == len(set(names)) >= 3
    assert config.prune is False


def test_the_environment_drives_the_per_environment_example() -> None:
    environ = {"ACME_ENV": "Production", "ACME_SIGNUP_CODE_LENGTH": "8"}
    config = load_config([EXAMPLES / "environments"], environ)
    assert [(s.friendly_name, s.code_length) for s in config.services] == [("Acme Signup Production", 8)]


def test_examples_cover_every_kind_of_object() -> None:
    services = load_config([EXAMPLES], {}).services
    assert any(s.rate_limits and any(r.buckets for r in s.rate_limits) for s in services)
    assert any(s.messaging_configurations for s in services)
    assert any(s.webhooks for s in services)
    assert {entry.ensure for entry in load_config([EXAMPLES], {}).safe_list} == {"present", "absent"}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_points_editors_at_the_schema(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first_line.startswith(prefix)
    target = (path.parent / first_line[len(prefix) :]).resolve()
    assert target == ROOT / "schemas" / "verifyctl.schema.json"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_schema_accepts_example(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema()).validate(document)
