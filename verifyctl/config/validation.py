"""Validate parsed documents with the models, turning pydantic errors into located problems in plain words."""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from verifyctl.config.models import ConfigFile, ConfigModel, ServiceConfig
from verifyctl.config.shown import quoted
from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.errors import Problem

_SID_KINDS = {
    "VA": "a service SID",
    "MG": "a Messaging Service SID",
    "HJ": "a template SID",
    "CR": "a credential SID",
}
_SID_PATTERN = re.compile(r"\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$")
# What a message shows in place of a value that holds a `${secret:…}` value or a credential.
HIDDEN = "(sensitive value)"
# A value quoted in a message: 'text' or "text", perhaps cut short ("... (N characters)").
_QUOTED = re.compile(r"""('|")(?:\\.|(?!\1).)*\1(?:\.\.\. \(\d+ characters\))?""")
# Keys whose value is shown as written: names in every plan address, `show` and `output`, a SID pin in
# addresses, a policy's rule, service and reason in lint's outputs; none may hold a sensitive value.
_SHOWN_KEYS = frozenset(
    {
        "friendly_name",
        "unique_name",
        "formerly",
        "country",
        "default_template",
        "phone_number",
        "sid",
        "rule",
        "service",
        "reason",
    }
)


@dataclass(frozen=True)
class Slot:
    """What the models expect at one place of a document: the field and the type of the value there."""

    field: FieldInfo | None
    annotation: Any


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _field_named(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def slot_at(loc: Loc, root: type[BaseModel] = ConfigFile) -> Slot | None:
    """The field and value type the models expect at `loc`, or None when nothing is expected there."""
    slot = Slot(None, root)
    for part in loc:
        annotation = slot.annotation
        if isinstance(part, int):
            if get_origin(annotation) is not list:
                return None
            slot = Slot(slot.field, _strip_optional(get_args(annotation)[0]))
            continue
        if not _is_model(annotation):
            return None
        info = _field_named(annotation, part)
        if info is None:
            return None
        slot = Slot(info, _strip_optional(info.annotation))
    return slot


def model_keys(model: type[BaseModel]) -> list[str]:
    """The keys a mapping of `model` may have, as written in YAML."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _scalar_kind(annotation: Any) -> type | None:
    if get_origin(annotation) is Literal:
        kinds = {type(arg) for arg in get_args(annotation)}
        return kinds.pop() if len(kinds) == 1 else None
    return annotation if annotation in (int, bool) else None


def coerce_expanded(document: Document, expanded: set[Loc], root: type[BaseModel] = ConfigFile) -> None:
    """Read a value that came from `${...}` as the number or boolean its field expects (`${LEN:-6}` -> 6)."""
    for loc in sorted(expanded, key=len):
        slot = slot_at(loc, root)
        kind = _scalar_kind(slot.annotation) if slot else None
        parent: Any = document.data
        for part in loc[:-1]:
            parent = parent[part]
        if not loc or not isinstance(parent, dict | list):
            continue
        text = parent[loc[-1]]  # type: ignore[index]
        if kind is int and re.fullmatch(r"[-+]?[0-9]{1,18}", text.strip()):
            parent[loc[-1]] = int(text)  # type: ignore[index]
        elif kind is bool and text.strip().lower() in ("true", "false"):
            parent[loc[-1]] = text.strip().lower() == "true"  # type: ignore[index]


@functools.lru_cache(maxsize=1024)
def _child_slot(model: type[BaseModel], key: str) -> Slot | None:
    # Asked for every key of every mapping of a file: the same few hundred answers, thousands of times.
    return slot_at((key,), model)


@functools.cache
def _python_named_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(Python name, YAML key) of each field of `model` whose YAML key is another name (`from_`, `from`)."""
    return tuple(
        (name, info.alias) for name, info in model.model_fields.items() if info.alias and info.alias != name
    )


@functools.lru_cache(maxsize=1024)
def _descent(model: type[BaseModel], key: str) -> tuple[type[BaseModel] | None, bool]:
    """The model of the mapping(s) under `key` of `model`, and whether they are list items.

    Cached: the walk asks it for every key of every mapping, and typing's introspection per node
    cost about a tenth of loading a 2,000-service file.
    """
    slot = _child_slot(model, key)
    if slot is None:
        return None, False
    annotation = slot.annotation
    if _is_model(annotation):
        return annotation, False
    if get_origin(annotation) is list:
        element = _strip_optional(get_args(annotation)[0])
        if _is_model(element):
            return element, True
    return None, False


def _mappings(
    value: Any, loc: Loc, model: type[BaseModel]
) -> Iterator[tuple[Loc, dict[str, Any], type[BaseModel]]]:
    if not isinstance(value, dict):
        return
    yield loc, value, model
    for key, item in value.items():
        child, listed = _descent(model, key)
        if child is None:
            continue
        if not listed:
            yield from _mappings(item, (*loc, key), child)
        elif isinstance(item, list):
            for index, element in enumerate(item):
                yield from _mappings(element, (*loc, key, index), child)


def python_name_keys(name: str, document: Document, root: type[BaseModel] = ConfigFile) -> list[Problem]:
    """Problems for Python field names written instead of their YAML key (`from_` for `from`)."""
    problems: list[Problem] = []
    for loc, mapping, model in _mappings(document.data, (), root):
        for field_name, alias in _python_named_fields(model):
            if field_name in mapping:
                where = document.key_position((*loc, field_name))
                message = f"unknown key {field_name!r} (did you mean {alias!r}?)"
                problems.append(
                    Problem(name, where.line, where.column, format_loc((*loc, field_name)), message)
                )
                document.broken.add((*loc, field_name))
    return problems


def suggestion(key: str, candidates: list[str]) -> str | None:
    """The candidate the user most likely meant (`CodeLength` or `code_lenght` -> `code_length`)."""
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    for candidate in candidates:
        if re.sub(r"[^a-z0-9]", "", candidate) == squashed:
            return candidate
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def describe(value: Any) -> str:
    """How a wrong value reads in a message: `the string '6'`, `a list`, `true`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _bounds_message(field: FieldInfo | None, ctx: dict[str, Any]) -> str:
    low = high = None
    for item in field.metadata if field else []:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    if low is not None and high is not None:
        return f"must be between {low} and {high}"
    if "ge" in ctx:
        return f"must be at least {ctx['ge']}"
    if "le" in ctx:
        return f"must be at most {ctx['le']}"
    if "gt" in ctx:
        return f"must be greater than {ctx['gt']}"
    return f"must be less than {ctx.get('lt')}"


_TYPE_MESSAGES = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
}


def message_for(error: ErrorDetails, root: type[BaseModel] = ConfigFile) -> str:
    """A plain-words message for one pydantic error (missing and unknown keys are handled by the caller)."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]}, not {describe(error['input'])}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"must be {ctx['expected']}, not {describe(error['input'])}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        slot = slot_at(tuple(error["loc"]), root)
        return _bounds_message(slot.field if slot else None, ctx)
    if kind in ("string_too_short", "too_short"):
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"must have at least {minimum} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters long, not {len(error['input'])}"
    if kind == "string_pattern_mismatch":
        sid = _SID_PATTERN.fullmatch(str(ctx.get("pattern", "")))
        if sid:
            prefix = sid.group(1)
            return f"must be {_SID_KINDS.get(prefix, 'a SID')}: {prefix} followed by 32 hex digits"
        return f"must match {ctx.get('pattern')}"
    text = error["msg"]
    return text[:1].lower() + text[1:]


def holds_secret(value: Any, secrets: set[str] | frozenset[str]) -> bool:
    """Whether a value (or an item of a list) holds one of the sensitive values."""
    if isinstance(value, str):
        return any(secret in value for secret in secrets if secret)
    if isinstance(value, list | tuple):
        return any(holds_secret(item, secrets) for item in value)
    return False


def _hidden(detail: ErrorDetails, root: type[BaseModel]) -> str:
    """The message for an error whose value holds a secret: the value nowhere in it, even cut short."""
    if detail["type"] in _TYPE_MESSAGES or detail["type"] == "literal_error":
        return message_for({**detail, "input": HiddenValue()}, root)
    return _QUOTED.sub(HIDDEN, message_for(detail, root))


class HiddenValue:
    """Stands for a sensitive value in a message."""

    def __repr__(self) -> str:
        return HIDDEN


def secret_name_problems(name: str, document: Document) -> list[Problem]:
    """A problem for each value shown as written (a name, a SID pin, ...) that holds a sensitive value."""
    problems: list[Problem] = []
    if not document.secrets:
        return problems

    def walk(value: Any, loc: Loc, named: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if not loc and key == "environments":
                    continue
                walk(item, (*loc, key), named or key in _SHOWN_KEYS or (not loc and key == "safe_list"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index), named)
        elif named and holds_secret(value, document.secrets) and not document.is_broken(loc):
            where = document.position(loc)
            message = "is shown as written in plans and outputs: it cannot hold a ${secret:…} or a credential"
            problems.append(Problem(name, where.line, where.column, format_loc(loc), message))
            document.broken.add(loc)

    walk(document.data, (), False)
    return problems


def problems_from(
    name: str,
    document: Document,
    error: ValidationError,
    root: type[BaseModel] = ConfigFile,
    prefix: Loc = (),
) -> list[Problem]:
    """Located problems for a ValidationError of data taken from `document` at `prefix`."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc: Loc = (*prefix, *detail["loc"])
        if document.is_broken(loc):
            continue
        if detail["type"] == "missing":
            where = document.position(loc[:-1])
            path, message = format_loc(loc[:-1]), f"missing required key {loc[-1]!r}"
        elif detail["type"] == "extra_forbidden":
            slot = slot_at(tuple(detail["loc"][:-1]), root)
            allowed = model_keys(slot.annotation) if slot and _is_model(slot.annotation) else []
            guess = suggestion(str(loc[-1]), allowed)
            where = document.key_position(loc)
            path = format_loc(loc)
            message = f"unknown key {quoted(str(loc[-1]))}" + (f" (did you mean {guess!r}?)" if guess else "")
        else:
            where = document.position(loc)
            secret = holds_secret(detail.get("input"), document.secrets)
            path, message = format_loc(loc), _hidden(detail, root) if secret else message_for(detail, root)
        problems.append(Problem(name, where.line, where.column, path, message))
    return problems


def validate_document(
    name: str, document: Document, max_problems: int | None = None
) -> tuple[ConfigFile | None, list[Problem]]:
    """The validated file, or None and its problems.

    The services are validated one by one, and no further once `max_problems` are found: pydantic
    builds every error of a call before it returns, a million of them for `services: [1, 1, ...]`.
    """
    data = document.data
    named = secret_name_problems(name, document)
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, list):
        try:
            return (None, named) if named else (ConfigFile.model_validate(data), [])
        except ValidationError as error:
            return None, [*named, *problems_from(name, document, error)]
    problems: list[Problem] = list(named)
    try:
        top = ConfigFile.model_validate({**data, "services": []})
    except ValidationError as error:
        top = None
        problems += problems_from(name, document, error)
    validated: list[ServiceConfig] = []
    for index, service in enumerate(services):
        if max_problems is not None and len(problems) > max_problems:  # one past: "more follow"
            break
        try:
            validated.append(ServiceConfig.model_validate(service))
        except ValidationError as error:
            problems += problems_from(name, document, error, ServiceConfig, ("services", index))
    if top is None or problems:
        return None, problems
    # The services are models already; the file takes them as they are (pydantic does not revalidate).
    return ConfigFile.model_validate({**data, "services": validated}), []


def walk_models(model: ConfigModel, loc: Loc) -> Iterator[tuple[Loc, ConfigModel]]:
    """Every config model inside `model` (itself included) with its place in the document."""
    yield loc, model
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        if isinstance(value, ConfigModel):
            yield from walk_models(value, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, ConfigModel):
                    yield from walk_models(item, (*loc, key, index))
