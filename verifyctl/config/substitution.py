"""`${VAR}`, `${VAR:-default}` and `${secret:VAR}` in string values, read from an environment mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from verifyctl.config.shown import quoted, shorten
from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.errors import Problem

# `$${` is a literal `${`; `${...}` a reference; a lone `${` an unterminated reference.
_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
# `secret:` marks the value sensitive: substituted as any other, and masked wherever it would be shown.
_REFERENCE = re.compile(
    r"(?P<secret>secret:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?", re.DOTALL
)


def substitute(
    name: str, document: Document, environ: Mapping[str, str], max_problems: int | None = None
) -> tuple[set[Loc], list[Problem]]:
    """Expand references in every string value of `document` in place.

    Returns the places whose value came from a reference (so that `${LEN:-6}` can be read as a number)
    and a problem for every unset variable without a default and every malformed reference (one past
    `max_problems` at most, so that the loader can say that more were found).
    """
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
            value = environ.get(reference.group("name"))
            default = reference.group("default")
            if default is not None and not value:
                # As in the shell, `:-` also replaces a variable that is set but empty.
                value = default
            if value is None:
                variable = reference.group("name")
                hint = f"set it or write ${{{shorten(variable)}:-default}}"
                report(loc, match.start(), f"environment variable {quoted(variable)} is not set ({hint})")
                continue
            out.append(value)
            expanded.add(loc)
            if reference.group("secret") and value:
                document.secrets.add(value)
        out.append(text[last:])
        return "".join(out)

    def report(loc: Loc, offset: int, message: str) -> None:
        document.broken.add(loc)
        if max_problems is not None and len(problems) > max_problems:
            return
        column = document.string_columns.get(loc)
        where = document.position(loc)
        problems.append(
            Problem(name, where.line, column + offset if column else where.column, format_loc(loc), message)
        )

    def walk(container: dict[Any, Any] | list[Any], loc: Loc) -> None:
        # In place, and a place is spelled out only for a reference or a container: the document is
        # fresh from the converter (no object in two places, even through an alias), and rebuilding
        # every mapping cost 5% of loading a big file that has no reference at all.
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in items:
            if not loc and key == "environments":
                continue  # the `environments:` section is read as written: it supplies variables, takes none
            if isinstance(item, str):
                if "${" in item:
                    container[key] = expand(item, (*loc, key))
            elif isinstance(item, dict | list):
                walk(item, (*loc, key))

    if isinstance(document.data, str):
        document.data = expand(document.data, ()) if "${" in document.data else document.data
    elif isinstance(document.data, dict | list):
        walk(document.data, ())
    return expanded, problems
