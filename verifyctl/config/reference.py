"""Reference data the models check against: spec descriptions and enums, and ISO 3166-1 country codes."""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from importlib import resources
from typing import Any

from verifyctl.config.limits import MIB
from verifyctl.config.reading import Unreadable, read_file

# Request schemas of the create operations, by the config kind whose fields they describe.
_CREATE_OPERATIONS = {
    "service": "/v2/Services",
    "rate_limit": "/v2/Services/{ServiceSid}/RateLimits",
    "bucket": "/v2/Services/{ServiceSid}/RateLimits/{RateLimitSid}/Buckets",
    "messaging_configuration": "/v2/Services/{ServiceSid}/MessagingConfigurations",
    "webhook": "/v2/Services/{ServiceSid}/Webhooks",
}
_FORM = "application/x-www-form-urlencoded"


def _read_json(name: str) -> Any:
    return json.loads(resources.files("verifyctl.config").joinpath(name).read_text(encoding="utf-8"))


@cache
def spec_reference() -> dict[str, Any]:
    """The committed extract of the Verify OpenAPI spec (descriptions.json)."""
    data: dict[str, Any] = _read_json("descriptions.json")
    return data


def description(kind: str, key: str) -> str:
    """The spec's description of a writable field (`key` dotted snake_case), or '' when it has none."""
    text: str = spec_reference()["fields"][kind].get(key, "")
    return text


def spec_enum(name: str) -> tuple[str, ...]:
    """An enum the spec states, such as `webhook.event_types`."""
    return tuple(spec_reference()["enums"][name])


# Twilio's country lists use the user-assigned code XK for Kosovo, which ISO 3166-1 does not assign.
_TWILIO_EXTRA_COUNTRIES = {"XK": "Kosovo"}


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (countries.json, from tzdata's iso3166.tab) plus Twilio's XK."""
    codes: dict[str, str] = _read_json("countries.json")
    return frozenset(codes) | frozenset(_TWILIO_EXTRA_COUNTRIES)


def snake_key(param: str) -> str:
    """`Totp.TimeStep` -> `totp.time_step`: the config key of a form parameter."""
    return ".".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", part).lower() for part in param.split("."))


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of the spec the config layer needs: field descriptions and the enums stated in prose."""
    fields: dict[str, dict[str, str]] = {}
    for kind, path in _CREATE_OPERATIONS.items():
        schema = spec["paths"][path]["post"]["requestBody"]["content"][_FORM]["schema"]
        fields[kind] = {}
        for param, prop in schema["properties"].items():
            if "$ref" in prop:
                prop = spec["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]]
            fields[kind][snake_key(param)] = prop.get("description", "")
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
        "`python -m verifyctl.config.reference SPEC.json > verifyctl/config/descriptions.json`",
        "fields": fields,
        "enums": enums,
    }


def main(argv: list[str]) -> int:
    """Write the extract of the spec file named in argv[0] to stdout."""
    if len(argv) != 1:
        sys.stderr.write("usage: python -m verifyctl.config.reference SPEC.json\n")
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
