"""One declaration per Verify object kind: API paths, identity, and each field's key, form param and type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from types import UnionType
from typing import Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel

from verifyctl.config.models import (
    BucketConfig,
    MessagingConfigurationConfig,
    RateLimitConfig,
    SafeListNumberConfig,
    ServiceConfig,
    WebhookConfig,
    normalize_country,
)


class FieldType(str, Enum):
    """How a field's value is encoded in a form and compared."""

    BOOL = "bool"
    INT = "int"
    STR = "str"
    # A list sent as repeated form keys; compared as a set (the API does not promise an order).
    STR_SET = "str_set"
    # A list sent as one comma-separated string and answered as a JSON array (passkeys origins).
    CSV_LIST = "csv_list"


@dataclass(frozen=True)
class Field:
    """One writable field: `key` is the dotted snake_case config/response key, `param` the form name."""

    key: str
    param: str
    type: FieldType
    updatable: bool = True


class Pace(NamedTuple):
    """A documented request rate: at most `limit` requests in any `window` seconds."""

    limit: int
    window: float


@dataclass(frozen=True)
class Kind:
    """A kind of Verify object: how the API addresses it, and what it promises about it."""

    name: str
    # The config key whose value identifies the object within its parent.
    identity: str
    # Path templates; `{service_sid}`, `{rate_limit_sid}` name the parents, `{id}` the object.
    collection_path: str
    instance_path: str
    # The key of the list in a page of `collection_path`; "" when the API has no list of this kind.
    list_key: str
    fields: tuple[Field, ...]
    parent: str | None = None
    # The response key that holds the object's id in `instance_path` (messaging configurations use country).
    id_key: str = "sid"
    # Why an identity change cannot be an update; shown beside a replace in the plan.
    identity_immutable_reason: str = ""
    # The form of an identity that objects of this kind are matched by within their parent (and that
    # `--target` addresses are compared in): exact by default.
    normalize: Callable[[str], str] = str
    # The API does not keep the identity unique: two writers may each create one (apply confirms them).
    duplicable: bool = False
    # The error code of the API's refusal of a second object of this identity (None: it has none).
    already_exists: int | None = None
    # The request rate the API documents for this kind's paths, if any (the client paces them).
    pace: Pace | None = None

    @property
    def listable(self) -> bool:
        """Whether the API lists this kind (otherwise it is read one GET per known identity)."""
        return bool(self.list_key)

    def identity_of(self, value: object) -> str:
        """The normalised identity of a value of this kind's identity field."""
        return self.normalize(str(value))

    @cached_property
    def children(self) -> tuple[Kind, ...]:
        """The kinds that live under this one, in the order the configuration lists them."""
        return tuple(kind for kind in KINDS.values() if kind.parent == self.name)

    def sort_key(self, key: str) -> tuple[int, str]:
        """Objects of a kind sort by identity; numeric identities (bucket intervals) as numbers."""
        if self._numeric_identity and key.isdigit():
            return (int(key), "")
        return (0, self.identity_of(key))

    # Cached: a plan over thousands of objects asks these for every object it sorts or diffs.
    @cached_property
    def _numeric_identity(self) -> bool:
        return self.field(self.identity).type is FieldType.INT

    @cached_property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @cached_property
    def _fields_by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> Field:
        try:
            return self._fields_by_key[key]
        except KeyError:
            raise KeyError(f"{self.name} has no field {key!r}") from None


BOOL, INT, STR = FieldType.BOOL, FieldType.INT, FieldType.STR

# Config keys that are not API fields of their kind: identity pins, ownership, names resolved at plan
# time, and child lists (which become children).
NOT_FIELDS = frozenset(
    {
        "sid",
        "ensure",
        "default_template",
        "formerly",
        "environments",
        "rate_limits",
        "messaging_configurations",
        "webhooks",
        "buckets",
    }
)


def _pascal(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _scalar_type(annotation: Any, list_type: FieldType) -> FieldType:
    # `X | None` is X; a list (optional or not) is the kind's list encoding.
    optional = get_origin(annotation) in (Union, UnionType)
    base = next(a for a in get_args(annotation) if a is not type(None)) if optional else annotation
    if get_origin(base) is list:
        return list_type
    if base is bool:
        return BOOL
    if base is int:
        return INT
    return STR  # str, and Literal[...] of strings


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def fields_of(
    model: type[BaseModel],
    *,
    list_type: FieldType = FieldType.STR_SET,
    fixed: frozenset[str] = frozenset(),
    prefix: tuple[str, ...] = (),
) -> tuple[Field, ...]:
    """The API fields of a config model, in declaration order: the config is the one declaration.

    Nested models become dotted keys and params (`totp.time_step` is `Totp.TimeStep`); `fixed` names
    the fields the API cannot update.
    """
    found: list[Field] = []
    for name, info in model.model_fields.items():
        if name in NOT_FIELDS:
            continue
        key = info.alias or name
        path = (*prefix, key)
        nested = _model_of(info.annotation)
        if nested is not None:
            found.extend(fields_of(nested, list_type=list_type, fixed=fixed, prefix=path))
            continue
        dotted = ".".join(path)
        param = ".".join(_pascal(part) for part in path)
        found.append(Field(dotted, param, _scalar_type(info.annotation, list_type), dotted not in fixed))
    return tuple(found)


SERVICE = Kind(
    name="service",
    identity="friendly_name",
    collection_path="/v2/Services",
    instance_path="/v2/Services/{id}",
    list_key="services",
    duplicable=True,
    # The API takes the passkeys origins as one comma-separated string and answers a JSON array.
    fields=fields_of(ServiceConfig, list_type=FieldType.CSV_LIST),
)

RATE_LIMIT = Kind(
    name="rate_limit",
    identity="unique_name",
    collection_path="/v2/Services/{service_sid}/RateLimits",
    instance_path="/v2/Services/{service_sid}/RateLimits/{id}",
    list_key="rate_limits",
    parent="service",
    fields=fields_of(RateLimitConfig, fixed=frozenset({"unique_name"})),
    already_exists=60208,
    identity_immutable_reason="unique_name cannot be updated",
    # unique_name cannot be updated and the API treats it case-insensitively: matching it so turns a
    # case-only edit into a visible replace instead of a delete plus a near-duplicate create.
    normalize=str.casefold,
)

BUCKET = Kind(
    name="bucket",
    identity="interval",
    collection_path="/v2/Services/{service_sid}/RateLimits/{rate_limit_sid}/Buckets",
    instance_path="/v2/Services/{service_sid}/RateLimits/{rate_limit_sid}/Buckets/{id}",
    list_key="buckets",
    parent="rate_limit",
    fields=fields_of(BucketConfig),
    already_exists=60211,
)

MESSAGING_CONFIGURATION = Kind(
    name="messaging_configuration",
    identity="country",
    collection_path="/v2/Services/{service_sid}/MessagingConfigurations",
    instance_path="/v2/Services/{service_sid}/MessagingConfigurations/{id}",
    list_key="messaging_configurations",
    parent="service",
    id_key="country",
    # ISO country codes in any case; `all` is the catch-all configuration (the config's own rule).
    normalize=normalize_country,
    fields=fields_of(MessagingConfigurationConfig, fixed=frozenset({"country"})),
    already_exists=60213,
)

WEBHOOK = Kind(
    name="webhook",
    identity="friendly_name",
    collection_path="/v2/Services/{service_sid}/Webhooks",
    instance_path="/v2/Services/{service_sid}/Webhooks/{id}",
    list_key="webhooks",
    parent="service",
    duplicable=True,
    # Event types are sent as repeated keys and compared as a set.
    fields=fields_of(WebhookConfig, list_type=FieldType.STR_SET),
)

# https://www.twilio.com/docs/verify/api/safe-list, "Rate limits": "Safe List API provides a built-in rate
# limit of 30 requests per minute"; beyond it Twilio answers 429. It covers add, check and remove alike.
SAFE_LIST_PACE = Pace(limit=30, window=60.0)

# An account-level list with no parent and no list endpoint: it is read one number at a time (see
# state/safelist.py). The number is its own id in the instance path.
SAFE_LIST = Kind(
    name="safe_list",
    identity="phone_number",
    collection_path="/v2/SafeList/Numbers",
    instance_path="/v2/SafeList/Numbers/{id}",
    list_key="",
    id_key="phone_number",
    fields=fields_of(SafeListNumberConfig, fixed=frozenset({"phone_number"})),
    # https://www.twilio.com/docs/verify/api/safe-list: adding a listed number answers 400, error 60411.
    already_exists=60411,
    pace=SAFE_LIST_PACE,
)

KINDS: dict[str, Kind] = {
    k.name: k for k in (SERVICE, RATE_LIMIT, BUCKET, MESSAGING_CONFIGURATION, WEBHOOK, SAFE_LIST)
}
# The kinds an address may start with.
ROOT_KINDS = frozenset(name for name, kind in KINDS.items() if kind.parent is None)

# Every child kind: what a plan reads of a service it deletes, and what import reads ("bucket" standing
# for the buckets of every rate limit).
ALL_CHILD_KINDS = frozenset(name for name, kind in KINDS.items() if kind.parent is not None)
