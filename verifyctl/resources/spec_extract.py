"""Extract from Twilio's OpenAPI spec what the config layer reads (verifyctl/config/descriptions.json).

The create operation of every kind in KINDS gives its fields' descriptions, so a new kind needs no
table here. Run: `python -m verifyctl.resources.spec_extract SPEC.json > verifyctl/config/descriptions.json`.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from verifyctl.config.limits import MIB
from verifyctl.config.reading import Unreadable, read_file
from verifyctl.resources.kinds import KINDS, Kind

_FORM = "application/x-www-form-urlencoded"


def snake_key(param: str) -> str:
    """`Totp.TimeStep` -> `totp.time_step`: the config key of a form parameter."""
    return ".".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", part).lower() for part in param.split("."))


def create_operation(kind: Kind) -> str:
    """The spec's path of a kind's create operation: its collection path, parents spelled as the spec
    spells them (`{service_sid}` is `{ServiceSid}`)."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: "{" + m[1].replace("_", " ").title().replace(" ", "") + "}",
        kind.collection_path,
    )


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of the spec the config layer needs: field descriptions and the enums stated in prose."""
    fields: dict[str, dict[str, str]] = {}
    for kind in KINDS.values():
        schema = spec["paths"][create_operation(kind)]["post"]["requestBody"]["content"][_FORM]["schema"]
        fields[kind.name] = {}
        for param, prop in schema["properties"].items():
            if "$ref" in prop:
                prop = spec["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]]
            fields[kind.name][snake_key(param)] = prop.get("description", "")
    service = spec["components"]["schemas"]["verify.v2.service"]["properties"]
    for group in ("push", "totp", "whatsapp", "passkeys"):
        if service[group].get("description"):
            fields["service"][group] = service[group]["description"]
    fields["service"]["sid"] = service["sid"]["description"]
    fields["service"]["friendly_name.limits"] = service["friendly_name"]["description"]
    webhook = fields["webhook"]
    # The event types are an enum only in the prose of the description: "Possible event types: `*, ...`".
    event_types = [e.strip() for e in _backticked(webhook["event_types"])[0].split(",")]
    schemas = spec["components"]["schemas"]
    enums = {
        "webhook.event_types": event_types,
        "webhook.status": schemas["webhook_enum_status"]["enum"],
        "webhook.version": schemas["webhook_enum_version"]["enum"],
    }
    for key in ("authenticator_attachment", "discoverable_credentials", "user_verification"):
        enums[f"service.passkeys.{key}"] = _backticked(fields["service"][f"passkeys.{key}"])
    return {
        "source": "twilio_verify_v2.json (twilio/twilio-oai, MIT licence); regenerate with "
        "`python -m verifyctl.resources.spec_extract SPEC.json > verifyctl/config/descriptions.json`",
        "fields": fields,
        "enums": enums,
    }


def main(argv: list[str]) -> int:
    """Write the extract of the spec file named in argv[0] to stdout."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m verifyctl.resources.spec_extract SPEC.json\n")
        return 64
    try:
        # Twilio's spec is a few megabytes; the bound only keeps a device or a FIFO from being read.
        spec = json.loads(read_file(argv[0], 256 * MIB).decode("utf-8"))
    except Unreadable as error:
        sys.stderr.write(f"cannot read {argv[0]}: {error.reason}\n")
        return 1
    sys.stdout.write(json.dumps(extract(spec), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
