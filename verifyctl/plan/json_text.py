"""JSON text exactly as json.dumps(value, indent=2, ensure_ascii=False) writes it, without its overhead.

With `indent`, the standard library falls back to its pure-Python, generator-based encoder. On a plan
over 5,000 services that encoder cost more than the diff itself, and the tens of thousands of
short-lived generators it creates trigger full garbage collections of the whole heap. This writer
appends strings to one list (nothing the collector tracks) and uses the C string encoder.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_CONSTANTS = {None: "null", True: "true", False: "false"}


class _Unusual(Exception):
    """A value this writer does not handle itself (subclasses, non-str keys, other types)."""


def dumps_indented(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte."""
    parts: list[str] = []
    try:
        _write(value, parts, "\n")
    except _Unusual:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(parts)


def _scalar(value: Any) -> str | None:
    """The text of a scalar, or None for a container."""
    kind = type(value)
    if kind is str:
        return str(encode_basestring(value))
    if value is None or kind is bool:
        return _CONSTANTS[value]
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return json.dumps(value)
    if kind is dict or kind is list or kind is tuple:
        return None
    raise _Unusual


def _write(value: Any, parts: list[str], newline: str) -> None:
    text = _scalar(value)
    if text is not None:
        parts.append(text)
        return
    is_dict = type(value) is dict
    if not value:
        parts.append("{}" if is_dict else "[]")
        return
    inner = newline + "  "
    separator = "," + inner
    parts.append("{" if is_dict else "[")
    lead = inner
    if is_dict:
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(lead)
            parts.append(encode_basestring(key))
            parts.append(": ")
            _write(item, parts, inner)
            lead = separator
    else:
        for item in value:
            parts.append(lead)
            _write(item, parts, inner)
            lead = separator
    parts.append(newline)
    parts.append("}" if is_dict else "]")
