"""What a rule's check is given (the services, its thresholds, live facts) and what it gives back (hits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from verifyctl.config.models import ConfigModel, ServiceConfig
from verifyctl.lint.templates import TemplateInfo

Place = tuple[str, int, int]
Threshold = int | tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """One thing a check found: in `service`, at `obj` (and its `key` when written), with the message."""

    service: ServiceConfig
    obj: ConfigModel
    key: str | None
    message: str


@dataclass(frozen=True)
class Context:
    """The input of one check: present services, the rule's thresholds and what the live account told."""

    services: Sequence[ServiceConfig]
    thresholds: Mapping[str, Threshold]
    place: Callable[[ConfigModel], Place]
    # Environment name -> the services it has; one entry, "default", until environments exist.
    environments: Mapping[str, Sequence[ServiceConfig]] = field(default_factory=dict)
    templates: Sequence[TemplateInfo] | None = None

    def number(self, name: str) -> int:
        """An integer threshold."""
        value = self.thresholds[name]
        assert isinstance(value, int)
        return value

    def names(self, name: str) -> tuple[str, ...]:
        """A list-of-names threshold."""
        value = self.thresholds[name]
        assert isinstance(value, tuple)
        return value


Check = Callable[[Context], Iterator[Hit]]
