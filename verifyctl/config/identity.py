"""Identities must be unique within their parent across all files (services, rate limits, buckets, ...)."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any

from verifyctl.config.models import normalize_country
from verifyctl.config.shown import quoted
from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.errors import Problem


class _Registry:
    """Remembers where each identity was first written and reports every later one."""

    def __init__(self, documents: dict[str, Document], problems: list[Problem]) -> None:
        self._documents = documents
        self._problems = problems
        self._seen: dict[Hashable, tuple[str, Loc]] = {}

    def add(self, identity: Hashable | None, file: str, loc: Loc, what: str, clash: bool = True) -> None:
        """Remember `identity`; report it when it was written before, unless `clash` is False."""
        if identity is None or identity == "":
            return
        first = self._seen.setdefault(identity, (file, loc))
        if first == (file, loc) or not clash:
            return
        first_at = self._documents[first[0]].position(first[1])
        at = self._documents[file].position(loc)
        where = f"{first[0]}:{first_at.line}:{first_at.column}"
        message = f"duplicate {what}; first written at {where}"
        self._problems.append(Problem(file, at.line, at.column, format_loc(loc), message))


def _items(value: Any, loc: Loc, key: str) -> Iterator[tuple[Loc, dict[str, Any]]]:
    children = value.get(key) if isinstance(value, dict) else None
    for index, child in enumerate(children if isinstance(children, list) else []):
        if isinstance(child, dict):
            yield (*loc, key, index), child


def _identity(document: Document, mapping: dict[str, Any], loc: Loc, key: str, kind: type) -> Any:
    """The identity value written at loc.key, or None when it is absent, of the wrong type or broken."""
    value = mapping.get(key)
    if type(value) is not kind or document.is_broken((*loc, key)):
        return None
    return value


def duplicate_problems(documents: Sequence[tuple[str, Document]]) -> list[Problem]:
    """A problem for every identity written a second time within the same parent, in any file.

    Works on the parsed data, so duplicates are found even in files that have other problems.
    """
    by_name = dict(documents)
    problems: list[Problem] = []
    names, sids = _Registry(by_name, problems), _Registry(by_name, problems)
    # A pinned service is identified by its sid, so services pinned apart may share a friendly name (as
    # live services can); a friendly name is a duplicate when an unpinned service is one of those sharing it.
    unpinned_names: set[str] = set()
    for file, document in documents:
        for loc, service in _items(document.data, (), "services"):
            name = _identity(document, service, loc, "friendly_name", str)
            pinned = service.get("sid") is not None
            clash = not pinned or name in unpinned_names
            names.add(name, file, (*loc, "friendly_name"), f"service {quoted(name)}", clash=clash)
            if name is not None and not pinned:
                unpinned_names.add(name)
            sid = _identity(document, service, loc, "sid", str)
            sids.add(sid and sid.upper(), file, (*loc, "sid"), f"service sid {quoted(sid)}")
            _children(document, file, service, loc, by_name, problems)
    problems.extend(_former_name_problems(documents))
    return problems


def _former_name_problems(documents: Sequence[tuple[str, Document]]) -> list[Problem]:
    """A problem for each former name that two services claim: which one is renamed must not depend on
    the order of the files."""
    problems: list[Problem] = []
    by_name = dict(documents)
    claimed: dict[str, tuple[str, Loc, str]] = {}
    for file, document in documents:
        for loc, service in _items(document.data, (), "services"):
            owner = _identity(document, service, loc, "friendly_name", str)
            former = service.get("formerly")
            if not isinstance(former, list) or document.is_broken((*loc, "formerly")):
                continue
            for index, name in enumerate(former):
                if not isinstance(name, str):
                    continue
                first = claimed.setdefault(name, (file, (*loc, "formerly", index), str(owner)))
                if first[1] == (*loc, "formerly", index) and first[0] == file:
                    continue
                at = document.position((*loc, "formerly", index))
                first_at = by_name[first[0]].position(first[1])
                message = (
                    f"former name {quoted(name)} is claimed by service {quoted(str(owner))} and by service"
                    f" {quoted(first[2])} ({first[0]}:{first_at.line}:{first_at.column}); give it to one"
                )
                problems.append(
                    Problem(file, at.line, at.column, format_loc((*loc, "formerly", index)), message)
                )
    return problems


def _children(
    document: Document,
    file: str,
    service: dict[str, Any],
    loc: Loc,
    by_name: dict[str, Document],
    problems: list[Problem],
) -> None:
    rate_limits = _Registry(by_name, problems)
    for rl_loc, rate_limit in _items(service, loc, "rate_limits"):
        unique = _identity(document, rate_limit, rl_loc, "unique_name", str)
        # Unique names are matched case-insensitively, so `Per_IP` and `per_ip` collide.
        what = f"rate limit {quoted(unique)} (unique names are compared case-insensitively)"
        rate_limits.add(unique and unique.casefold(), file, (*rl_loc, "unique_name"), what)
        buckets = _Registry(by_name, problems)
        for bucket_loc, bucket in _items(rate_limit, rl_loc, "buckets"):
            interval = _identity(document, bucket, bucket_loc, "interval", int)
            buckets.add(interval, file, (*bucket_loc, "interval"), f"bucket interval {interval}")
    countries = _Registry(by_name, problems)
    for mc_loc, configuration in _items(service, loc, "messaging_configurations"):
        country = _identity(document, configuration, mc_loc, "country", str)
        country = country and normalize_country(country)
        countries.add(country, file, (*mc_loc, "country"), f"messaging configuration {quoted(country)}")
    webhooks = _Registry(by_name, problems)
    for wh_loc, webhook in _items(service, loc, "webhooks"):
        webhook_name = _identity(document, webhook, wh_loc, "friendly_name", str)
        webhooks.add(webhook_name, file, (*wh_loc, "friendly_name"), f"webhook {quoted(webhook_name)}")
