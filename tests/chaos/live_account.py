"""The live account read with plain HTTP and checked against a configuration, independently of verifyctl."""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

CHILD_LISTS = {
    "rate_limits": ("RateLimits", "rate_limits", "unique_name"),
    "messaging_configurations": ("MessagingConfigurations", "messaging_configurations", "country"),
    "webhooks": ("Webhooks", "webhooks", "friendly_name"),
}


def _get(session: requests.Session, base_url: str, path: str, key: str) -> list[dict[str, Any]]:
    response = session.get(f"{base_url}{path}", params={"PageSize": 1000}, timeout=10)
    response.raise_for_status()
    return list(response.json()[key])


def read_account(base_url: str, auth: tuple[str, str]) -> list[dict[str, Any]]:
    """Every service with every child list (and every rate limit's buckets) under `_children`."""
    with requests.Session() as session:
        session.auth = auth
        services = _get(session, base_url, "/v2/Services", "services")
        for service in services:
            children: dict[str, list[dict[str, Any]]] = {}
            for list_key, (segment, response_key, _) in CHILD_LISTS.items():
                path = f"/v2/Services/{service['sid']}/{segment}"
                children[list_key] = _get(session, base_url, path, response_key)
            for rate_limit in children["rate_limits"]:
                path = f"/v2/Services/{service['sid']}/RateLimits/{rate_limit['sid']}/Buckets"
                rate_limit["_buckets"] = _get(session, base_url, path, "buckets")
            service["_children"] = children
    return services


def _same(expected: Any, live: Any) -> bool:
    if isinstance(expected, list):
        return isinstance(live, list) and sorted(map(str, expected)) == sorted(map(str, live))
    return bool(expected == live)


def _check_fields(where: str, expected: dict[str, Any], live: dict[str, Any], problems: list[str]) -> None:
    for key, value in expected.items():
        if key in CHILD_LISTS or key == "buckets":
            continue
        if isinstance(value, dict):
            nested = live.get(key)
            _check_fields(f"{where}.{key}", value, nested if isinstance(nested, dict) else {}, problems)
        elif not _same(value, live.get(key)):
            problems.append(f"{where}.{key}: configured {value!r}, live {live.get(key)!r}")


def _identity(list_key: str, value: Any) -> str:
    text = str(value)
    if list_key == "rate_limits":
        return text.casefold()
    return text if text == "all" else text.upper() if list_key == "messaging_configurations" else text


def _check_children(
    where: str, list_key: str, expected: list[dict[str, Any]], live: list[dict[str, Any]], problems: list[str]
) -> None:
    identity_key = CHILD_LISTS[list_key][2]
    live_ids = Counter(_identity(list_key, item[identity_key]) for item in live)
    for identity, times in live_ids.items():
        if times > 1:
            problems.append(f"{where}.{list_key}: {identity!r} exists {times} times")
    by_identity = {_identity(list_key, item[identity_key]): item for item in live}
    wanted = {_identity(list_key, item[identity_key]): item for item in expected}
    if set(by_identity) != set(wanted):
        problems.append(f"{where}.{list_key}: live {sorted(by_identity)} != configured {sorted(wanted)}")
    for identity, item in wanted.items():
        current = by_identity.get(identity)
        if current is None:
            continue
        # The spelling too: a case-only rename must have replaced the rate limit.
        if str(current[identity_key]) != str(item[identity_key]) and list_key == "rate_limits":
            problems.append(f"{where}.{list_key}[{identity}]: live spelling {current[identity_key]!r}")
        _check_fields(f"{where}.{list_key}[{identity}]", item, current, problems)
        if list_key == "rate_limits" and "buckets" in item:
            live_buckets = current["_buckets"]
            intervals = Counter(b["interval"] for b in live_buckets)
            if any(times > 1 for times in intervals.values()):
                problems.append(f"{where}.{list_key}[{identity}]: duplicate buckets {intervals}")
            expected_buckets = {b["interval"]: b["max"] for b in item["buckets"]}
            actual = {b["interval"]: b["max"] for b in live_buckets}
            if expected_buckets != actual:
                where_buckets = f"{where}.{list_key}[{identity}].buckets"
                problems.append(f"{where_buckets}: live {actual} != configured {expected_buckets}")


def account_problems(document: dict[str, Any], services: list[dict[str, Any]]) -> list[str]:
    """What differs between the configuration and the live account; duplicates anywhere are problems."""
    problems: list[str] = []
    names = Counter(s["friendly_name"] for s in services)
    problems += [f"service {name!r} exists {times} times" for name, times in names.items() if times > 1]
    live = {s["friendly_name"]: s for s in services}
    configured = {s["friendly_name"] for s in document["services"]}
    if document.get("prune") and set(live) != configured:
        problems.append(f"prune: live services {sorted(live)} != configured {sorted(configured)}")
    for service in document["services"]:
        name = service["friendly_name"]
        current = live.get(name)
        if current is None:
            problems.append(f"service {name!r} is missing")
            continue
        _check_fields(f"service[{name}]", service, current, problems)
        for list_key in CHILD_LISTS:
            if list_key in service:
                live_children = current["_children"][list_key]
                _check_children(f"service[{name}]", list_key, service[list_key], live_children, problems)
    return problems
