"""Form and query parameters: reading them and checking their values the way the Verify API does."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from verifyctl.emulator.errors import invalid, missing

# Parses one raw form value of the named parameter, raising a 400 ApiError when the API would refuse it.
Parser = Callable[[str, str], Any]

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Form:
    """Parameters of a form body or query string; a repeated key keeps all its values, in order."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def get(self, name: str) -> str | None:
        """The parameter's last value, or None when it was not sent."""
        values = self._values.get(name)
        return values[-1] if values else None

    def all(self, name: str) -> list[str]:
        """Every value of a repeated parameter (`EventTypes=a&EventTypes=b`)."""
        return list(self._values.get(name, []))

    def require(self, name: str) -> str:
        """The value of a required parameter; absent or empty is a missing-parameter error."""
        values = [value for value in self._values.get(name, []) if value != ""]
        if not values:
            raise missing(name)
        return values[-1]

    def items(self) -> Iterable[tuple[str, list[str]]]:
        return self._values.items()


def text(name: str, raw: str) -> str | None:
    """A free-text value; the empty string clears it."""
    return raw if raw != "" else None


def boolean(name: str, raw: str) -> bool:
    """`true`/`false` in any letter case, as Twilio's libraries send them."""
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise invalid(name, "must be true or false")
    return lowered == "true"


def integer_between(low: int, high: int) -> Parser:
    """An integer in [low, high]."""

    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise invalid(name, "must be an integer") from None
        if not low <= value <= high:
            raise invalid(name, f"must be between {low} and {high}")
        return value

    return parse


def one_of(*allowed: str, clearable: bool = False) -> Parser:
    """One of the given values; with `clearable`, the empty string clears the field."""

    def parse(name: str, raw: str) -> str | None:
        if clearable and raw == "":
            return None
        if raw not in allowed:
            raise invalid(name, f"must be one of {', '.join(allowed)}")
        return raw

    return parse


def sid_of(prefix: str) -> Parser:
    """A SID with the given two-letter prefix and 32 hex digits; the empty string clears it."""
    pattern = re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$")

    def parse(name: str, raw: str) -> str | None:
        if raw == "":
            return None
        if not pattern.match(raw):
            raise invalid(name, f"must be a {prefix} SID ({prefix} and 32 hex digits)")
        return raw

    return parse


def required_sid_of(prefix: str) -> Parser:
    """Like `sid_of`, for parameters that cannot be cleared."""
    parse_sid = sid_of(prefix)

    def parse(name: str, raw: str) -> str:
        value = parse_sid(name, raw)
        if value is None:
            raise missing(name)
        return str(value)

    return parse


def comma_list(name: str, raw: str) -> list[str] | None:
    """A comma-separated value, answered as a JSON array; the empty string clears it."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or None


def service_name(name: str, raw: str) -> str:
    """A service friendly name: 1-30 characters, no more than 4 digits, no links or special characters."""
    if raw.strip() == "":
        raise invalid(name, "must not be empty")
    if len(raw) > 30:
        raise invalid(name, "must be at most 30 characters")
    if sum(ch.isdigit() for ch in raw) > 4:
        raise invalid(name, "must not contain more than 4 digits")
    if not all(ch.isalnum() or ch in " -_" for ch in raw):
        raise invalid(name, "may contain only letters, digits, spaces, dashes and underscores")
    return raw


def nonempty_text(name: str, raw: str) -> str:
    """A text value that may not be empty."""
    if raw == "":
        raise missing(name)
    return raw


def url(name: str, raw: str) -> str:
    """An absolute http(s) URL."""
    if not re.match(r"^https?://[^\s/]+", raw):
        raise invalid(name, "must be an absolute http or https URL")
    return raw


def country(name: str, raw: str) -> str:
    """An ISO-3166-1 alpha-2 country code (answered upper-case) or `all` for the global configuration."""
    if raw.lower() == "all":
        return "all"
    if not re.match(r"^[A-Za-z]{2}$", raw):
        raise invalid(name, "must be an ISO-3166-1 alpha-2 country code or all")
    return raw.upper()


def recipient(channel: str, raw: str) -> str:
    """`To` of a verification: an e-mail address for the email channel, else an E.164 phone number."""
    pattern = _EMAIL if channel == "email" else _E164
    if not pattern.match(raw):
        raise invalid("To")
    return raw


def apply_params(doc: dict[str, Any], form: Form, params: Iterable[tuple[str, str, Parser]]) -> None:
    """Set each (param, dotted field, parser) present in `form` on the nested `doc`; absent ones stay."""
    for param, dotted, parse in params:
        raw = form.get(param)
        if raw is None:
            continue
        node = doc
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = parse(param, raw)
