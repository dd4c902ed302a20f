"""Live records as configuration YAML (what `verifyctl import` writes): every set field, every child list."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from verifyctl.config.yaml_source import plain_scalar_is_string
from verifyctl.plan.sensitive import url_as_references
from verifyctl.resources.codec import unflatten
from verifyctl.resources.kinds import SERVICE, FieldType, Kind
from verifyctl.resources.records import Record

SCHEMA_COMMENT = "# yaml-language-server: $schema={ref}"
IMPORTED_COMMENT = "# Imported from the live account by `verifyctl import`."


class _Dumper(yaml.SafeDumper):
    """Block style, with lists indented under their key (as people write them)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML quotes by YAML 1.1 rules, but the loader reads YAML 1.2 core (where `0E0` is a float):
    # quote whatever would not load back as the same string.
    style = None if plain_scalar_is_string(text) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def service_order(services: Sequence[Record]) -> list[Record]:
    """The stable order imported services are written in: by friendly name (as people sort), then sid."""
    return sorted(services, key=lambda s: (s.key.casefold(), s.key, str(s.id)))


def shared_names(services: Sequence[Record]) -> dict[str, list[str]]:
    """Friendly names that several of these services share -> their sids, sorted."""
    by_name: dict[str, list[str]] = {}
    for service in services:
        by_name.setdefault(service.key, []).append(str(service.id))
    return {name: sorted(sids) for name, sids in by_name.items() if len(sids) > 1}


def render_config(
    services: Sequence[Record], *, schema_ref: str, shared: Mapping[str, Sequence[str]] | None = None
) -> str:
    """One configuration document holding `services` (read with all their children), in stable order.

    A service whose friendly name is in `shared` (name -> the sids of every live service with that name)
    gets a `sid` pin and a comment saying why: without it, plan could not tell them apart.
    """
    lines = [SCHEMA_COMMENT.format(ref=schema_ref), IMPORTED_COMMENT, "version: 1"]
    if not services:
        lines.append("services: []")
        return "\n".join(lines) + "\n"
    lines.append("services:")
    shared = shared or {}
    masked: list[str] = []
    for service in service_order(services):
        sids = shared.get(service.key, ())
        document = service_document(service, pin=len(sids) > 1, masked=masked)
        if len(sids) > 1:
            # repr() keeps a name with a line break on the comment line.
            lines.append(
                f"  # {len(sids)} live services are named {service.key!r}; the sid pin says which one:"
            )
            lines.append(f"  # {', '.join(sids)}")
        dumped = yaml.dump(
            [document], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, indent=2
        )
        lines.extend(f"  {line}" for line in dumped.splitlines())
    if masked:
        # URL userinfo and query strings carry tokens: the file names variables instead of holding them.
        note = [
            "# URL credentials and query strings are not written out: give these variables their values"
            " (--var NAME=VALUE, or VERIFYCTL_VAR_NAME in the environment):"
        ]
        lines[2:2] = [*note, *(f"#   {name}" for name in masked)]
    return "\n".join(lines) + "\n"


def service_document(
    service: Record, *, pin: bool = False, masked: list[str] | None = None
) -> dict[str, Any]:
    """A service as the config writes it: identity (and `sid` pin), set fields, then every child list.

    URL userinfo and query strings become `${secret:…}` references; `masked` collects their names.
    """
    document = _object_document(service.kind, service, masked if masked is not None else [])
    if pin:
        document = {SERVICE.identity: document.pop(SERVICE.identity), "sid": service.id, **document}
    return document


def _object_document(kind: Kind, record: Record, masked: list[str]) -> dict[str, Any]:
    # Declaration order; a null live value is left out (the format refuses null: it means "unmanaged").
    flat = {
        field.key: _yaml_value(field.type, record.fields[field.key])
        for field in kind.fields
        if record.fields.get(field.key) is not None
    }
    for key, value in flat.items():
        if isinstance(value, str):
            prefix = f"VERIFY_{str(record.id)[-8:]}_{key.replace('.', '_')}".upper()
            flat[key], names = url_as_references(value, prefix)
            masked.extend(names)
    document = unflatten(flat)
    for child_kind in kind.children:
        children: list[Record] = list(record.children.get(child_kind.name, ()))
        children.sort(key=lambda child: child_kind.sort_key(child.key))
        document[child_kind.list_key] = [_object_document(child_kind, child, masked) for child in children]
    return document


def _yaml_value(field_type: FieldType, value: Any) -> Any:
    if field_type in (FieldType.STR_SET, FieldType.CSV_LIST):
        return [_literal(str(item)) for item in value]
    if field_type is FieldType.STR:
        return _literal(str(value))
    return value


def _literal(text: str) -> str:
    # The loader expands `${NAME}` from the environment; `$${` keeps a live `${` as it is.
    return text.replace("${", "$${")


def slug(name: str) -> str:
    """A file-name-safe form of a friendly name: ascii, lower case, words joined by '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "service"


def split_file_names(services: Sequence[Record]) -> list[tuple[str, Record]]:
    """One `<slug>.yaml` per service, in stable order; a slug several services share gets a sid suffix.

    The suffix is the sid's last 8 hex digits (the whole sid should those collide), not a counter:
    a file keeps its name when another service with the same name comes or goes.
    """
    ordered = service_order(services)
    slugs = [slug(service.key) for service in ordered]
    short = [
        f"{base}-{str(service.id).lower()[-8:]}" if slugs.count(base) > 1 else base
        for base, service in zip(slugs, ordered, strict=True)
    ]
    names = [
        f"{slugs[i]}-{str(service.id).lower()}" if short.count(short[i]) > 1 else short[i]
        for i, service in enumerate(ordered)
    ]
    return [(f"{name}.yaml", service) for name, service in zip(names, ordered, strict=True)]
