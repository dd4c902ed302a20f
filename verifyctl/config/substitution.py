"""`${VAR}`, `${VAR:-default}` and `${secret:VAR}` in string values: a new tree, the input left as it was."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from verifyctl.config.shown import quoted, shorten
from verifyctl.config.variables import FLEET_STAND_INS, FLEET_VARIABLES, PREFIX, as_variables
from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.errors import Problem

# `$${` is a literal `${`; `${...}` a reference; a lone `${` an unterminated reference.
_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
# `secret:` marks the value sensitive: substituted as any other, and masked wherever it would be shown.
_REFERENCE = re.compile(
    r"(?P<secret>secret:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?", re.DOTALL
)


@dataclass
class Substituted:
    """The document with its references expanded (a new Document; the one given is left as it was)."""

    document: Document
    # The places whose value came from a reference (so that `${LEN:-6}` can be read as a number).
    expanded: set[Loc]
    problems: list[Problem]


def substitute(
    name: str, document: Document, environ: Mapping[str, str], max_problems: int | None = None
) -> Substituted:
    """Expand references in every string value of `document` into a new Document.

    `environ` is Variables (declared sources) or else a process environment, of which only the
    `VERIFYCTL_VAR_` variables are read. A problem for every undeclared variable without a default,
    every credential variable named and every malformed reference (one past `max_problems` at most,
    so that the loader can say that more were found).
    """
    variables = as_variables(environ)
    result = replace(document, broken=set(document.broken), secrets=set(document.secrets))
    expanded: set[Loc] = set()
    problems: list[Problem] = []

    def expand(text: str, loc: Loc) -> str:
        out: list[str] = []
        last = 0
        for match in _TOKEN.finditer(text):
            out.append(text[last : match.start()])
            last = match.end()
            token = match.group(0)
            if token == "$${":
                out.append("${")
                continue
            body = match.group("body")
            reference = _REFERENCE.fullmatch(body) if body is not None else None
            if reference is None:
                what = f"invalid reference {quoted(token)}" if body is not None else "unterminated '${'"
                report(loc, match.start(), f"{what}; write ${{NAME}} or ${{NAME:-default}}")
                continue
            variable = reference.group("name")
            if variable in variables.credential_names:
                message = f"{quoted(variable)} is a credential variable: it is never substituted into a file"
                report(loc, match.start(), message)
                continue
            value = variables.get(variable)
            default = reference.group("default")
            if default is not None and not value:
                # As in the shell, `:-` also replaces a variable that is set but empty.
                value = default
            if (
                value is None
                and variable in FLEET_STAND_INS
                and _kept_out(document.data, loc, variables.environment)
            ):
                # A fleet's service read by another environment's load, which drops it: a stand-in.
                value = FLEET_STAND_INS[variable]
            if value is None:
                report(loc, match.start(), _undeclared(variable))
                continue
            out.append(value)
            expanded.add(loc)
            if value and (reference.group("secret") or variables.holds_credential(value)):
                result.secrets.add(value)
        out.append(text[last:])
        return "".join(out)

    def report(loc: Loc, offset: int, message: str) -> None:
        result.broken.add(loc)
        if max_problems is not None and len(problems) > max_problems:
            return
        column = document.string_columns.get(loc)
        where = document.position(loc)
        problems.append(
            Problem(name, where.line, column + offset if column else where.column, format_loc(loc), message)
        )

    def walk(value: Any, loc: Loc) -> Any:
        # Copy on write: a container is copied only when something below it changed, so that a big file
        # without a reference costs no copy, and the tree given is never changed.
        if isinstance(value, str):
            return expand(value, loc) if "${" in value else value
        if isinstance(value, dict):
            copy: dict[Any, Any] | None = None
            for key, item in value.items():
                if not loc and key == "environments":
                    continue  # the `environments:` section is read as written: it supplies variables
                new = walk(item, (*loc, key))
                if new is not item or (isinstance(item, str) and "${" in item):
                    copy = copy if copy is not None else dict(value)
                    copy[key] = new
            return value if copy is None else copy
        if isinstance(value, list):
            copied: list[Any] | None = None
            for index, item in enumerate(value):
                new = walk(item, (*loc, index))
                if new is not item or (isinstance(item, str) and "${" in item):
                    copied = copied if copied is not None else list(value)
                    copied[index] = new
            return value if copied is None else copied
        return value

    result.data = walk(document.data, ())
    return Substituted(result, expanded, problems)


def _kept_out(data: Any, loc: Loc, environment: str) -> bool:
    """Whether `loc` is inside a service whose `environments:` list leaves out `environment`."""
    if not environment or len(loc) < 2 or loc[0] != "services" or not isinstance(data, dict):
        return False
    services = data.get("services")
    index = loc[1]
    if not isinstance(services, list) or not isinstance(index, int) or not 0 <= index < len(services):
        return False
    service = services[index]
    named = service.get("environments") if isinstance(service, dict) else None
    return isinstance(named, list) and environment not in named


def _undeclared(variable: str) -> str:
    if variable in FLEET_VARIABLES:
        return f"{variable} is built in for the members of a fleet (an environment with subaccounts_of) only"
    shown = shorten(variable)
    return (
        f"variable {quoted(variable)} is not declared (declare it with --var {shown}=VALUE, --var-file,"
        f" an environment's vars or var_files, or {PREFIX}{shown} in the process environment;"
        f" or write ${{{shown}:-default}})"
    )
