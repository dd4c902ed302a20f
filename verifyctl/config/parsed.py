"""Files parsed once: the `environments:` read hands each file's parse to the load that follows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from verifyctl.config.limits import YamlLimits
from verifyctl.config.yaml_document import Document
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import Problem

_Kept = tuple[bytes, YamlLimits, Document | None, list[Problem]]


@dataclass
class ParsedFiles:
    """Each file's parse, kept for ONE later load of the same bytes under the same limits.

    Parsing is most of what loading a big file costs, and `validate` used to parse every file twice:
    once to read its `environments:` section, once to load it. A load changes its Document (the `${}`
    expansion writes into it), so a kept parse is handed out once; a second load parses again.
    """

    _kept: dict[str, _Kept] = field(default_factory=dict)

    def parse(self, name: str, data: bytes, limits: YamlLimits) -> tuple[Document | None, list[Problem]]:
        """parse_yaml(name, data, limits), keeping the result for one later take()."""
        document, problems = parse_yaml(name, data, limits)
        self._kept[name] = (data, limits, document, list(problems))
        return document, problems

    def take(self, name: str, data: bytes, limits: YamlLimits) -> tuple[Document | None, list[Problem]]:
        """The kept parse of `name` when it was of these very bytes and limits (then forgotten), else a
        fresh parse_yaml: a file changed in between is loaded as it is now."""
        kept = self._kept.pop(name, None)
        if kept is not None and kept[1] == limits and kept[0] == data:
            return kept[2], kept[3]
        return parse_yaml(name, data, limits)
