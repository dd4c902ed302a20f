"""The account's message templates (`GET /v2/Templates`) and `default_template` names resolved by them."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifyctl.errors import PlanError
from verifyctl.resources.records import DesiredRecord
from verifyctl.state.reader import ListingClient

TEMPLATES_PATH = "/v2/Templates"
TEMPLATES_LIST_KEY = "templates"
# An error lists at most this many of the account's templates; accounts can have dozens.
_MAX_LISTED = 10


@dataclass(frozen=True)
class Template:
    sid: str
    friendly_name: str

    def __str__(self) -> str:
        return f"{self.friendly_name!r} ({self.sid})"


def read_template_items(client: ListingClient) -> list[dict[str, Any]]:
    """Every template the account can use, as the API answers them (one paged list)."""
    return client.list(TEMPLATES_PATH, TEMPLATES_LIST_KEY)


def templates_of(items: Sequence[Mapping[str, Any]]) -> list[Template]:
    return [
        Template(sid=str(item.get("sid")), friendly_name=str(item.get("friendly_name") or ""))
        for item in items
    ]


def uses_template_name(service: DesiredRecord) -> bool:
    """Whether a desired service names its default template (and so needs the Templates list)."""
    return bool(service.default_template) and not service.absent


def resolve_template_names(
    services: Sequence[DesiredRecord],
    templates: Sequence[Template],
    in_scope: Callable[[DesiredRecord], bool] = lambda service: True,
) -> list[DesiredRecord]:
    """The services, those in scope that name a template given its sid as `default_template_sid`.

    Raises PlanError naming every unknown or ambiguous name at once, with the candidates.
    """
    by_name: dict[str, list[Template]] = {}
    for template in templates:
        by_name.setdefault(template.friendly_name, []).append(template)
    problems: list[str] = []
    resolved: list[DesiredRecord] = []
    for service in services:
        if not (uses_template_name(service) and in_scope(service)):
            resolved.append(service)
            continue
        name = str(service.default_template)
        matches = by_name.get(name, [])
        if len(matches) == 1:
            fields = {**service.fields, "default_template_sid": matches[0].sid}
            resolved.append(dataclasses.replace(service, fields=fields))
            continue
        where = f" ({service.location})" if service.location else ""
        problem = _problem(name, matches, templates)
        problems.append(f"service[{service.key}]{where}: default_template {problem}")
    if problems:
        raise PlanError("\n".join(problems))
    return resolved


def _problem(name: str, matches: Sequence[Template], templates: Sequence[Template]) -> str:
    if matches:
        sids = ", ".join(sorted(t.sid for t in matches))
        return (
            f"{name!r} is ambiguous: {len(matches)} templates have this name ({sids}); "
            "write default_template_sid with one of them instead"
        )
    names = sorted({t.friendly_name for t in templates})
    close = [n for n in names if n.casefold() == name.casefold()]
    close += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if n not in close]
    if close:
        quoted = [repr(n) for n in close]
        choices = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return f"{name!r}: no template has this name; did you mean {choices}?"
    if not templates:
        return f"{name!r}: no template has this name (the account has no templates)"
    ordered = sorted(templates, key=lambda t: (t.friendly_name, t.sid))
    listed = ", ".join(str(t) for t in ordered[:_MAX_LISTED])
    more = f" and {len(templates) - _MAX_LISTED} more" if len(templates) > _MAX_LISTED else ""
    return f"{name!r}: no template has this name; the account's templates are {listed}{more}"
