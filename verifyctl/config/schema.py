"""The JSON Schema of the YAML format, generated from the models (`python -m verifyctl.config.schema`)."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from verifyctl.config.models import ConfigFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:verifyctl:config:1"
COMMITTED_PATH = "schemas/verifyctl.schema.json"
REGENERATE = f"python -m verifyctl.config.schema > {COMMITTED_PATH}"

ENV_REFERENCE = "EnvReference"
_ENV_REFERENCE_SCHEMA = {
    "type": "string",
    "pattern": r"\$\{(secret:)?[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}",
    "description": (
        "A value taken from the environment when the file is loaded: ${NAME} or ${NAME:-default};"
        " ${secret:NAME} masks it in plans and messages."
    ),
}
# Keywords that keep a value as written from being a `${...}` reference; such leaves also accept one.
_CONSTRAINTS = ("pattern", "enum", "const", "maxLength", "format")


class _Generator(GenerateJsonSchema):
    """Optional fields are None only when unset; YAML must not write null, so the schema offers no null."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


def _accepts_reference(node: dict[str, Any]) -> bool:
    return node.get("type") in ("integer", "boolean") or any(key in node for key in _CONSTRAINTS)


def _with_references(node: Any) -> Any:
    """Drop `default: null`; let each constrained leaf also be a `${...}` reference, as the loader does."""
    if isinstance(node, list):
        return [_with_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: _with_references(value)
        for key, value in node.items()
        if not (key == "default" and value is None)
    }
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, prop in properties.items():
            properties[name] = _leaf_with_reference(prop)
    if isinstance(node.get("items"), dict):
        node["items"] = _leaf_with_reference(node["items"])
    options = node.get("anyOf")
    reference = {"$ref": f"#/$defs/{ENV_REFERENCE}"}
    # A choice written by hand (safe_list's short form) whose constrained leaf could be a `${...}` too.
    if isinstance(options, list) and reference not in options and any(map(_accepts_reference, options)):
        node["anyOf"] = [*options, reference]
    return node


def _leaf_with_reference(node: dict[str, Any]) -> dict[str, Any]:
    if not _accepts_reference(node):
        return node
    keep: dict[str, Any] = {key: node[key] for key in ("description", "title", "default") if key in node}
    inner = {key: value for key, value in node.items() if key not in keep}
    return {**keep, "anyOf": [inner, {"$ref": f"#/$defs/{ENV_REFERENCE}"}]}


def json_schema() -> dict[str, Any]:
    """The schema of one YAML file, for editors (yaml-language-server) and `verifyctl schema`."""
    generated = ConfigFile.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    schema: dict[str, Any] = _with_references(generated)
    schema.setdefault("$defs", {})[ENV_REFERENCE] = dict(_ENV_REFERENCE_SCHEMA)
    schema["title"] = "verifyctl configuration"
    schema["description"] = (
        "Twilio Verify services as code: one YAML document per file, and the files merge into one account. "
        "A key written is managed; a key left out is left alone."
    )
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """The schema as committed: sorted keys, two-space indent, a trailing newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
