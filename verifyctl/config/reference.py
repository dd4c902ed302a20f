"""Reference data the models check against: spec descriptions and enums, and ISO 3166-1 country codes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


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
