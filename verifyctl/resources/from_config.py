"""Desired records from the config models: written keys become managed fields, written lists children."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from verifyctl.config.models import ServiceConfig
from verifyctl.resources.codec import flatten, normalize
from verifyctl.resources.kinds import (
    BUCKET,
    CHILD_KINDS,
    MESSAGING_CONFIGURATION,
    RATE_LIMIT,
    SERVICE,
    WEBHOOK,
    Kind,
)
from verifyctl.resources.records import Record

# Config keys that are not API fields of their kind: identity pins, ownership, names resolved elsewhere,
# and child lists (which become children).
NOT_FIELDS = {
    "sid",
    "ensure",
    "default_template",
    "rate_limits",
    "messaging_configurations",
    "webhooks",
    "buckets",
}
CHILD_LIST_KEYS = {
    RATE_LIMIT.name: "rate_limits",
    MESSAGING_CONFIGURATION.name: "messaging_configurations",
    WEBHOOK.name: "webhooks",
    BUCKET.name: "buckets",
}


def written_fields(kind: Kind, model: BaseModel) -> dict[str, Any]:
    """The fields a model wrote, as normalised dotted keys."""
    written = model.model_dump(exclude_unset=True, by_alias=True, exclude=NOT_FIELDS)
    return {key: normalize(kind.field(key), value) for key, value in flatten(written).items()}


def record_from_model(kind: Kind, model: BaseModel) -> Record:
    fields = written_fields(kind, model)
    record = Record(kind=kind, key=str(fields[kind.identity]), fields=fields)
    for child_kind in CHILD_KINDS[kind.name]:
        list_key = CHILD_LIST_KEYS[child_kind.name]
        if list_key in model.model_fields_set:
            children = getattr(model, list_key) or []
            record.children[child_kind.name] = [record_from_model(child_kind, child) for child in children]
    return record


def desired_records(
    services: Sequence[ServiceConfig], location: Callable[[ServiceConfig], str] | None = None
) -> list[Record]:
    """One record tree per configured service, in configuration order."""
    records = []
    for service in services:
        record = record_from_model(SERVICE, service)
        record.id = service.sid
        record.absent = service.ensure == "absent"
        record.default_template = service.default_template
        record.location = location(service) if location else ""
        records.append(record)
    return records
