"""The committed JSON Schema is the generated one, describes every key, and agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from verifyctl.config.schema import COMMITTED_PATH, REGENERATE, SCHEMA_DIALECT, json_schema, schema_text

ROOT = Path(__file__).resolve().parents[3]


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema())


def test_committed_schema_is_up_to_date() -> None:
    committed = (ROOT / COMMITTED_PATH).read_text(encoding="utf-8")
    assert committed == schema_text(), f"{COMMITTED_PATH} is out of date; regenerate it with: {REGENERATE}"


def test_schema_is_a_valid_2020_12_schema_with_an_identity() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["$id"] and schema["title"] == "verifyctl configuration"
    assert schema_text().endswith("}\n") and json.loads(schema_text()) == schema


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"(root).{name}", prop) for name, prop in schema["properties"].items()]
    for model, definition in schema["$defs"].items():
        found += [(f"{model}.{name}", prop) for name, prop in definition.get("properties", {}).items()]
    return found


def test_every_property_is_described() -> None:
    undescribed = [name for name, prop in _properties(json_schema()) if not prop.get("description")]
    assert undescribed == []


def test_no_property_accepts_null() -> None:
    assert "null" not in schema_text().replace("not be null", "")


@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "services": [{"friendly_name": "A", "code_length": 6}]},
        {"version": 1, "services": [{"friendly_name": "A", "code_length": "${LENGTH:-6}"}]},
        {
            "version": 1,
            "services": [{"friendly_name": "A", "whatsapp": {"from": "+1", "msg_service_sid": "${MG}"}}],
        },
        {"version": 1, "prune": True, "services": []},
    ],
)
def test_schema_accepts_valid_documents(document: dict[str, Any]) -> None:
    validator().validate(document)


@pytest.mark.parametrize(
    "document",
    [
        {"services": []},
        {"version": 2},
        {"version": 1, "services": [{"code_length": 6}]},
        {"version": 1, "services": [{"friendly_name": "A", "code_lenght": 6}]},
        {"version": 1, "services": [{"friendly_name": "A", "code_length": 11}]},
        {"version": 1, "services": [{"friendly_name": "A", "code_length": None}]},
        {"version": 1, "services": [{"friendly_name": "A", "totp": {"skew": 3}}]},
        {"version": 1, "services": [{"friendly_name": "A", "sid": "VA123"}]},
        {"version": 1, "services": [{"friendly_name": "A", "whatsapp": {"from_": "+1"}}]},
        {"version": 1, "services": [{"friendly_name": "A", "webhooks": [{"friendly_name": "w"}]}]},
    ],
)
def test_schema_refuses_what_the_loader_refuses(document: dict[str, Any]) -> None:
    assert not validator().is_valid(document)
