"""`safe_list:` across files: each number may be written once, whether to add it or to remove it."""

from __future__ import annotations

from collections.abc import Sequence

from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.errors import Problem


def _number(document: Document, item: object, loc: Loc) -> tuple[str, Loc] | None:
    """The number an entry writes and where, or None when it is not a string (reported elsewhere)."""
    if isinstance(item, str):
        return (item, loc) if not document.is_broken(loc) else None
    if isinstance(item, dict) and isinstance(item.get("phone_number"), str):
        at = (*loc, "phone_number")
        return (item["phone_number"], at) if not document.is_broken(at) else None
    return None


def safe_list_duplicates(documents: Sequence[tuple[str, Document]]) -> list[Problem]:
    """A problem for every number written a second time, in any file: present twice is a slip, and
    present in one place and absent in another would make the outcome depend on the order of files."""
    problems: list[Problem] = []
    first: dict[str, tuple[str, Loc]] = {}
    by_name = dict(documents)
    for file, document in documents:
        entries = document.data.get("safe_list") if isinstance(document.data, dict) else None
        for index, item in enumerate(entries if isinstance(entries, list) else []):
            found = _number(document, item, ("safe_list", index))
            if found is None:
                continue
            number, loc = found
            if number not in first:
                first[number] = (file, loc)
                continue
            first_file, first_loc = first[number]
            was = by_name[first_file].position(first_loc)
            at = document.position(loc)
            where = f"{first_file}:{was.line}:{was.column}"
            message = f"duplicate Safe List number {number!r}; first written at {where}"
            problems.append(Problem(file, at.line, at.column, format_loc(loc), message))
    return problems
