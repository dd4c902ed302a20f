"""Desired records from the config models: written keys become managed fields, written lists children."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from verifyctl.config.models import ServiceConfig
from verifyctl.resources.codec import flatten, normalize
from verifyctl.resources.kinds import NOT_FIELDS, SERVICE, Kind
from verifyctl.resources.records import DesiredRecord, locate_lazily


def written_fields(kind: Kind, model: BaseModel) -> dict[str, Any]:
    """The fields a model wrote, as normalised dotted keys."""
    written = model.model_dump(exclude_unset=True, by_alias=True, exclude=set(NOT_FIELDS))
    return {key: normalize(kind.field(key), value) for key, value in flatten(written).items()}


def record_from_model(kind: Kind, model: BaseModel, **extra: Any) -> DesiredRecord:
    """The record of one model and its written child lists (a child list left out is not managed)."""
    fields = written_fields(kind, model)
    children = {
        child_kind.name: tuple(
            record_from_model(child_kind, child) for child in getattr(model, child_kind.list_key) or ()
        )
        for child_kind in kind.children
        if child_kind.list_key in model.model_fields_set
    }
    return DesiredRecord(kind=kind, key=str(fields[kind.identity]), fields=fields, children=children, **extra)


def desired_records(
    services: Sequence[ServiceConfig], location: Callable[[ServiceConfig], str] | None = None
) -> list[DesiredRecord]:
    """One record tree per configured service, in configuration order."""
    return [
        record_from_model(
            SERVICE,
            service,
            id=service.sid,
            absent=service.ensure == "absent",
            default_template=service.default_template,
            formerly=tuple(service.formerly or ()),
            location=locate_lazily(location, service),
        )
        for service in services
    ]
