"""The YAML 1.2 core schema the loader reads with: each scalar's tag, and the value it stands for."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from yaml.nodes import ScalarNode
from yaml.resolver import BaseResolver

from verifyctl.config.shown import quoted

_TAG = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT, MERGE = (f"{_TAG}{t}" for t in ("str", "null", "bool", "int", "float", "merge"))
MAP, SEQ = f"{_TAG}map", f"{_TAG}seq"


class CoreResolver(BaseResolver):
    """The YAML 1.2 core schema: only true/false are booleans, so `country: NO` stays a string."""


# The YAML 1.2 core schema's forms of each tag; an explicit tag (`!!bool yes`) must match them too.
CORE_FORMS = {
    NULL: re.compile(r"^(?:~|null|Null|NULL|)$"),
    BOOL: re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    INT: re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    FLOAT: re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    MERGE: re.compile(r"^<<$"),
}
for _tag, _first in (
    (NULL, ["~", "n", "N", ""]),
    (BOOL, list("tTfF")),
    (INT, list("-+0123456789")),
    (FLOAT, list("-+.0123456789")),
    (MERGE, ["<"]),
):
    CoreResolver.add_implicit_resolver(_tag, CORE_FORMS[_tag], _first)
FORM_NAMES = {
    NULL: "null, ~ or nothing",
    BOOL: "true or false (YAML 1.2 has no yes/no/on/off)",
    INT: "a decimal, 0o octal or 0x hex integer",
    FLOAT: "a decimal number, .inf or .nan",
}


def tag_name(tag: str) -> str:
    return f"!!{tag[len(_TAG) :]}" if tag.startswith(_TAG) else tag


def scalar_value(tag: str, value: str) -> tuple[Any, str | None]:
    """The Python value of a scalar of (resolved) `tag` other than a string, or None and the problem."""
    form = CORE_FORMS.get(tag)
    if form is None:
        return None, f"unsupported YAML tag {quoted(tag_name(tag))}"
    if not form.match(value):
        # Only an explicit tag gets here (`!!bool yes`): the resolver picks implicit tags by these forms.
        return None, f"{quoted(value)} is not a valid {tag_name(tag)}: write {FORM_NAMES[tag]}"
    if tag == NULL:
        return None, None
    if tag == BOOL:
        return value.lower() == "true", None
    if tag == INT:
        try:
            if value.startswith(("0o", "0x")):
                return int(value[2:], 8 if value[1] == "o" else 16), None
            return int(value), None
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            return None, "number is too large"
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf, None
    return math.nan if lowered == ".nan" else float(value), None


def string_column(text: str, start: Any, end: Any, value: str, style: str | None) -> int | None:
    """For a string written on one line without escapes (`start`, `end`: its marks), the 1-based column
    of its first character; None otherwise."""
    if start.line != end.line:
        return None
    raw = text[start.index : end.index]
    if raw == value:
        return int(start.column) + 1
    if style in ("'", '"') and raw[1:-1] == value:
        return int(start.column) + 2
    return None


def plain_tag_resolver() -> Callable[[str, Any], str]:
    """The tag of a plain scalar under the loader's schema, each value's looked up once per resolver."""
    resolver = CoreResolver()
    tags: dict[str, str] = {}

    def plain_tag(value: str, implicit: Any) -> str:
        # A file repeats its values (6, true, US): each is matched against the schema's forms once.
        tag = tags.get(value)
        if tag is None:
            tag = tags[value] = resolver.resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
        return tag

    return plain_tag
