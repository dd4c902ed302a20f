"""Field values <-> form parameters and API responses, driven by the per-kind declarations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verifyctl.resources.kinds import Field, FieldType, Kind

FormItems = list[tuple[str, str]]


def encode_value(field: Field, value: Any) -> list[str]:
    """The form value(s) of one field: booleans as true/false, sets as repeated keys, csv lists joined."""
    if field.type is FieldType.BOOL:
        return ["true" if value else "false"]
    if field.type is FieldType.STR_SET:
        return [str(v) for v in sorted(value)]
    if field.type is FieldType.CSV_LIST:
        return [",".join(str(v) for v in value)]
    return [str(value)]


def encode_form(kind: Kind, fields: Mapping[str, Any], only: Iterable[str] | None = None) -> FormItems:
    """Form items for `fields` (dotted keys), restricted to `only` when given, in declaration order."""
    wanted = set(fields) if only is None else set(only)
    items: FormItems = []
    for field in kind.fields:
        # None means "no value": the form API has no way to send a null, so it is never sent.
        if field.key in wanted and fields.get(field.key) is not None:
            items.extend((field.param, v) for v in encode_value(field, fields[field.key]))
    return items


# Each dotted key's parts, split once: a plan decodes tens of thousands of records of a few kinds.
_PARTS: dict[str, tuple[str, ...]] = {}


def _dig(response: Mapping[str, Any], dotted: str) -> Any:
    parts = _PARTS.get(dotted)
    if parts is None:
        parts = _PARTS[dotted] = tuple(dotted.split("."))
    node: Any = response
    for part in parts:
        # JSON objects decode to dicts: the exact type check spares the Mapping ABC's slower one.
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def normalize(field: Field, value: Any) -> Any:
    """The canonical form of a value, so that equal settings never diff (types, order, csv vs list)."""
    if value is None:
        return None
    if field.type is FieldType.BOOL:
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)
    if field.type is FieldType.INT:
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    if field.type is FieldType.STR_SET:
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        return sorted({str(v) for v in items})
    if field.type is FieldType.CSV_LIST:
        items = value.split(",") if isinstance(value, str) else list(value)
        return [str(v).strip() for v in items if str(v).strip()]
    return str(value)


def decode_response(kind: Kind, response: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared field of `kind` read out of an API response, normalised (absent or null -> None)."""
    return {field.key: normalize(field, _dig(response, field.key)) for field in kind.fields}


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested groups ({"totp": {"skew": 1}}) as dotted keys ({"totp.skew": 1})."""
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys back to nested groups, the inverse of `flatten`."""
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = nested
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested
