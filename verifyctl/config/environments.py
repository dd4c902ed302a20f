"""Checks of the `environments:` section against the services: names well formed, every one declared."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from verifyctl.config.models import ENVIRONMENT_NAME
from verifyctl.config.shown import quoted
from verifyctl.config.yaml_document import Document, format_loc
from verifyctl.errors import Problem

# `--env all` selects every environment, so no environment may be called that.
RESERVED_NAME = "all"
_NAME = re.compile(ENVIRONMENT_NAME)


def environment_problems(documents: Mapping[str, Document]) -> list[Problem]:
    """A problem for each badly named environment and each service naming an undeclared one."""
    problems: list[Problem] = []
    # The names as written, so that a section with other problems still declares its environments.
    declared = {
        name
        for document in documents.values()
        if isinstance(document.data, dict) and isinstance(document.data.get("environments"), dict)
        for name in document.data["environments"]
    }
    for file, document in documents.items():
        data = document.data
        if not isinstance(data, dict):
            continue
        section = data.get("environments")
        if isinstance(section, dict):
            for name in section:
                if not isinstance(name, str) or not _NAME.match(name) or name == RESERVED_NAME:
                    at = document.key_position(("environments", name))
                    message = (
                        f"environment name {quoted(str(name))} must be lower-case letters, digits, '-' and"
                        f" '_', and not {quoted(RESERVED_NAME)}"
                    )
                    problems.append(Problem(file, at.line, at.column, f"environments.{name}", message))
        services = data.get("services")
        for index, service in enumerate(services if isinstance(services, list) else []):
            names = service.get("environments") if isinstance(service, dict) else None
            for position, name in enumerate(names if isinstance(names, list) else []):
                if not isinstance(name, str) or name in declared:
                    continue
                problems.append(
                    _unknown(file, document, ("services", index, "environments", position), name, declared)
                )
    return problems


def _unknown(file: str, document: Document, loc: tuple[Any, ...], name: str, declared: set[str]) -> Problem:
    at = document.position(loc)
    known = ", ".join(sorted(declared)) if declared else "none: no file has an `environments:` section"
    return Problem(
        file, at.line, at.column, format_loc(loc), f"unknown environment {quoted(name)} (declared: {known})"
    )
