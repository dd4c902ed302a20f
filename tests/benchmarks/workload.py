"""The benchmark account: N services with 2 rate limits x 2 buckets, 2 messaging configurations, 1 webhook."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from verifyctl.config.models import ConfigFile
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.kinds import WEBHOOK as WEBHOOK_KIND
from verifyctl.resources.records import DesiredRecord, LiveRecord

MG = "MG" + "0123456789abcdef" * 2
RATE_LIMITS = ("end_user_phone", "end_user_ip")
BUCKETS = ((60, 5), (3600, 20))
COUNTRIES = ("US", "CA")
WEBHOOK = {
    "friendly_name": "audit",
    "event_types": ["challenge.approved", "factor.created"],
    "webhook_url": "https://hooks.example.com/verify/audit",
    "status": "enabled",
    "version": "v2",
}
# Objects per service: itself, 2 rate limits, 4 buckets, 2 messaging configurations, 1 webhook.
OBJECTS_PER_SERVICE = 1 + len(RATE_LIMITS) * (1 + len(BUCKETS)) + len(COUNTRIES) + 1


def service_name(index: int) -> str:
    """`Bench Service aaaa`, `... aaab`: letters, as a friendly name may hold at most 4 digits."""
    letters = ""
    for _ in range(4):
        index, digit = divmod(index, 26)
        letters = chr(ord("a") + digit) + letters
    return f"Bench Service {letters}"


def service_document(index: int) -> dict[str, Any]:
    """One service of the YAML, with every child list written (so plan reads every child)."""
    return {
        "friendly_name": service_name(index),
        "code_length": 6,
        "rate_limits": [
            {
                "unique_name": name,
                "description": f"per {name}",
                "buckets": [{"interval": interval, "max": most} for interval, most in BUCKETS],
            }
            for name in RATE_LIMITS
        ],
        "messaging_configurations": [
            {"country": country, "messaging_service_sid": MG} for country in COUNTRIES
        ],
        # A list of its own per service: a shared one would make yaml.safe_dump write an anchor and
        # aliases, which no hand-written file has and which send the loader down its slower path.
        "webhooks": [{**WEBHOOK, "event_types": list(WEBHOOK["event_types"])}],
    }


def config_document(services: int) -> dict[str, Any]:
    return {"version": 1, "services": [service_document(i) for i in range(services)]}


class AccountWriter:
    """Creates the benchmark objects with plain HTTP (not verifyctl), so the account owes nothing to apply."""

    def __init__(self, base_url: str, auth: tuple[str, str], workers: int = 16) -> None:
        self._base_url = base_url
        self._session = requests.Session()
        self._session.auth = auth
        adapter = requests.adapters.HTTPAdapter(pool_connections=workers, pool_maxsize=workers)
        self._session.mount("http://", adapter)
        self._workers = workers

    def _post(self, path: str, form: dict[str, Any]) -> dict[str, Any]:
        response = self._session.post(self._base_url + path, data=form, timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def _all(self, task: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            return list(pool.map(task, items))

    def populate(self, services: int) -> int:
        """Create the whole account level by level; returns how many objects it created."""
        sids = self._all(
            lambda i: self._post("/v2/Services", {"FriendlyName": service_name(i), "CodeLength": 6})["sid"],
            range(services),
        )
        children: list[tuple[str, dict[str, Any]]] = []
        for sid in sids:
            children += [
                (f"/v2/Services/{sid}/RateLimits", {"UniqueName": n, "Description": f"per {n}"})
                for n in RATE_LIMITS
            ]
            children += [
                (f"/v2/Services/{sid}/MessagingConfigurations", {"Country": c, "MessagingServiceSid": MG})
                for c in COUNTRIES
            ]
            children.append(
                (
                    f"/v2/Services/{sid}/Webhooks",
                    {
                        "FriendlyName": WEBHOOK["friendly_name"],
                        "EventTypes": WEBHOOK["event_types"],
                        "WebhookUrl": WEBHOOK["webhook_url"],
                        "Status": WEBHOOK["status"],
                        "Version": WEBHOOK["version"],
                    },
                )
            )
        created = self._all(lambda item: (item[0], self._post(*item)), children)
        buckets = [
            (f"{path}/{answer['sid']}/Buckets", {"Interval": interval, "Max": most})
            for path, answer in created
            if path.endswith("/RateLimits")
            for interval, most in BUCKETS
        ]
        self._all(lambda item: self._post(*item), buckets)
        return len(sids) + len(created) + len(buckets)

    def close(self) -> None:
        self._session.close()


def desired_and_live(services: int) -> tuple[list[DesiredRecord], list[LiveRecord]]:
    """In-memory desired and live records for the CPU benchmark, with a realistic mix of changes.

    Of every 10 services: one is missing live (a create with 10 objects), one has drifted
    (code_length), one has an extra live webhook (a delete); the other 7 are equal.
    """
    document = ConfigFile.model_validate(config_document(services))
    desired = desired_records(document.services)
    live: list[LiveRecord] = []
    for index, wanted in enumerate(desired):
        if index % 10 == 0:
            continue
        live.append(_live_copy(wanted, f"VA{index:032x}", drifted=index % 10 == 1, extra=index % 10 == 2))
    return desired, live


def _live_copy(wanted: DesiredRecord, sid: str, *, drifted: bool, extra: bool) -> LiveRecord:
    """The live twin of a desired record tree: every declared field present, ids assigned."""
    fields = {key: wanted.fields.get(key) for key in wanted.kind.field_keys}
    if drifted and "code_length" in fields:
        fields["code_length"] = 8
    children = {
        kind_name: [
            _live_copy(child, f"{sid}-{kind_name}-{n}", drifted=False, extra=False)
            for n, child in enumerate(records)
        ]
        for kind_name, records in wanted.children.items()
    }
    if extra:
        stray = {key: None for key in WEBHOOK_KIND.field_keys} | {
            "friendly_name": "stray",
            "event_types": ["*"],
            "webhook_url": "https://stray.example.com/",
        }
        children["webhook"].append(LiveRecord(WEBHOOK_KIND, "stray", stray, id=f"{sid}-stray"))
    return LiveRecord(kind=wanted.kind, key=wanted.key, fields=fields, id=sid, children=children)
