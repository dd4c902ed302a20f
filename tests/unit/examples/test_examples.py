"""The shipped examples load together as one account with no environment, and the schema accepts each."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from verifyctl.config.environment_section import Selection, environment_configs
from verifyctl.config.loader import load_config
from verifyctl.config.schema import json_schema

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml"))


def test_there_are_at_least_three_examples() -> None:
    assert len(EXAMPLE_FILES) >= 3


def test_examples_load_together_in_every_environment_with_no_variable_set() -> None:
    loaded = environment_configs([EXAMPLES], Selection(), {})
    assert [name for name, _ in loaded] == ["staging", "production"]
    for _, config in loaded:
        assert config.files == EXAMPLE_FILES
        names = [s.friendly_name for s in config.services]
        assert len(names) == len(set(names)) >= 3
        assert config.prune is False


def test_each_environment_reads_its_own_variables_and_services() -> None:
    loaded = dict(environment_configs([EXAMPLES / "environments"], Selection(), {}))
    staging, production = loaded["staging"].services, loaded["production"].services
    assert [(s.friendly_name, s.code_length) for s in staging] == [("Acme Signup", 6)]
    assert [(s.friendly_name, s.code_length) for s in production] == [
        ("Acme Signup", 8),
        ("Acme Payments", 8),
    ]
    # staging's messaging service comes from its var_files, production's from its vars.
    assert staging[0].messaging_configurations and production[0].messaging_configurations
    assert staging[0].messaging_configurations[0].messaging_service_sid.startswith("MG0a1b")
    assert production[0].messaging_configurations[0].messaging_service_sid.startswith("MG1f2e")


def test_examples_cover_every_kind_of_object() -> None:
    services = load_config(
        [EXAMPLES],
        {
            "VERIFYCTL_VAR_SIGNUP_CODE_LENGTH": "6",
            "VERIFYCTL_VAR_AUDIT_URL": "https://x.example/v",
            "VERIFYCTL_VAR_SMS_MSG_SERVICE": "MG" + "0" * 32,
        },
    ).services
    assert any(s.rate_limits and any(r.buckets for r in s.rate_limits) for s in services)
    assert any(s.messaging_configurations for s in services)
    assert any(s.webhooks for s in services)
    safe_list = load_config(sorted(EXAMPLES.glob("*.yaml")), {}).safe_list
    assert {entry.ensure for entry in safe_list} == {"present", "absent"}


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
