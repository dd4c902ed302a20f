"""Render docs/configuration-reference.md from the JSON Schema that the config models generate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "verifyctl.schema.json"
PAGE = ROOT / "docs" / "configuration-reference.md"
REFERENCE = "EnvReference"
REGENERATE = "python scripts/config_reference.py > docs/configuration-reference.md"

# The order objects appear in: the top level first, then each object where the format nests it.
ORDER = [
    "ServiceConfig",
    "PushConfig",
    "TotpConfig",
    "WhatsappConfig",
    "PasskeysConfig",
    "RelyingPartyConfig",
    "RateLimitConfig",
    "BucketConfig",
    "MessagingConfigurationConfig",
    "WebhookConfig",
]

HEADINGS = {
    "ServiceConfig": "services[]",
    "PushConfig": "services[].push",
    "TotpConfig": "services[].totp",
    "WhatsappConfig": "services[].whatsapp",
    "PasskeysConfig": "services[].passkeys",
    "RelyingPartyConfig": "services[].passkeys.relying_party",
    "RateLimitConfig": "services[].rate_limits[]",
    "BucketConfig": "services[].rate_limits[].buckets[]",
    "MessagingConfigurationConfig": "services[].messaging_configurations[]",
    "WebhookConfig": "services[].webhooks[]",
}


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    text = heading.strip().lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in " -_").replace(" ", "-")


def _link(name: str) -> str:
    heading = HEADINGS.get(name, name)
    return f"[`{heading}`](#{anchor(heading)})"


def _one(node: dict[str, Any]) -> str:
    """A short description of one schema node's type and limits."""
    if "$ref" in node:
        return _link(node["$ref"].rsplit("/", 1)[-1])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " \\| ".join(f"`{value}`" for value in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        items = node.get("items", {})
        text = f"list of {_type(items)}"
        if "minItems" in node:
            text += f" (at least {node['minItems']})"
        return text
    parts = [str(kind)]
    if "minimum" in node and "maximum" in node:
        parts.append(f"{node['minimum']}–{node['maximum']}")
    elif "minimum" in node:
        parts.append(f"≥ {node['minimum']}")
    elif "maximum" in node:
        parts.append(f"≤ {node['maximum']}")
    if "minLength" in node or "maxLength" in node:
        parts.append(f"length {node.get('minLength', 0)}–{node.get('maxLength', '…')}")
    if "pattern" in node:
        parts.append(f"matching `{node['pattern']}`")
    if "format" in node:
        parts.append(f"({node['format']})")
    return " ".join(parts)


def _type(node: dict[str, Any]) -> str:
    options = node.get("anyOf")
    if options is None:
        return _one(node)
    real = [o for o in options if o.get("$ref") != f"#/$defs/{REFERENCE}"]
    text = " or ".join(_one(o) for o in real)
    if len(real) < len(options):
        text += " (or `${VAR}`)"
    return text


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _table(definition: dict[str, Any]) -> list[str]:
    required = set(definition.get("required", []))
    lines = ["| key | type | required | default | description |", "|---|---|---|---|---|"]
    for name, prop in definition.get("properties", {}).items():
        default = f"`{json.dumps(prop['default'])}`" if "default" in prop else ""
        row = [f"`{name}`", _type(prop), "yes" if name in required else "", default]
        lines.append("| " + " | ".join([*row, _cell(prop.get("description", ""))]) + " |")
    return lines


def render(schema: dict[str, Any]) -> str:
    """The whole page, from the schema."""
    definitions: dict[str, Any] = schema["$defs"]
    names = [n for n in ORDER if n in definitions]
    names += sorted(n for n in definitions if n not in names and n != REFERENCE)
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from schemas/verifyctl.schema.json (itself generated from the config models)",
        f"     by `{REGENERATE}`. Do not edit by hand: a test fails while it is out of date. -->",
        "",
        "Every key of the YAML format, generated from the models that load it. The rules the keys follow",
        "(managed keys, authoritative child lists, identity, `${VAR}` references) are on",
        "[Configuration](configuration.md). `(or ${VAR})` marks a value that may also be a reference to",
        "an environment variable, read when the file is loaded.",
        "",
        "## Contents",
        "",
        "- [Top level](#top-level)",
        *[f"- {_link(n)}" for n in names],
        "",
        "## Top level",
        "",
        _cell(schema.get("description", "")),
        "",
        *_table(schema),
    ]
    for name in names:
        definition = definitions[name]
        lines += ["", f"## {HEADINGS.get(name, name)}", "", _cell(definition.get("description", "")), ""]
        lines += _table(definition)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the page (or check the committed one with --check)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed page is stale")
    args = parser.parse_args(argv)
    text = render(json.loads(SCHEMA.read_text(encoding="utf-8")))
    if args.check:
        if PAGE.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{PAGE.relative_to(ROOT)} is out of date; run: {REGENERATE}\n")
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
