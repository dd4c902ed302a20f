"""The independent account check the chaos suites rely on finds duplicates, drift and leftovers."""

from __future__ import annotations

import copy
import os
import random
from typing import Any

import yaml

from tests.chaos.generate import object_count, random_config
from tests.chaos.live_account import account_problems
from verifyctl.config.loader import load_sources

DOCUMENT: dict[str, Any] = {
    "version": 1,
    "prune": True,
    "services": [
        {
            "friendly_name": "Acme",
            "code_length": 6,
            "totp": {"skew": 1},
            "rate_limits": [{"unique_name": "ip", "buckets": [{"interval": 60, "max": 5}]}],
            "webhooks": [
                {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://h.example/"}
            ],
        }
    ],
}


def matching_live() -> list[dict[str, Any]]:
    return [
        {
            "friendly_name": "Acme",
            "code_length": 6,
            "totp": {"skew": 1, "issuer": None},
            "_children": {
                "rate_limits": [{"unique_name": "ip", "_buckets": [{"interval": 60, "max": 5}]}],
                "messaging_configurations": [],
                "webhooks": [
                    {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://h.example/"}
                ],
            },
        }
    ]


def test_a_matching_account_has_no_problems() -> None:
    assert account_problems(DOCUMENT, matching_live()) == []


def test_every_kind_of_difference_is_a_problem() -> None:
    cases = []
    duplicate_service = matching_live() + matching_live()
    cases.append(duplicate_service)
    drifted = matching_live()
    drifted[0]["totp"]["skew"] = 2
    cases.append(drifted)
    twin_webhook = matching_live()
    twin_webhook[0]["_children"]["webhooks"] *= 2
    cases.append(twin_webhook)
    twin_bucket = matching_live()
    twin_bucket[0]["_children"]["rate_limits"][0]["_buckets"] *= 2
    cases.append(twin_bucket)
    respelled = matching_live()
    respelled[0]["_children"]["rate_limits"][0]["unique_name"] = "IP"
    cases.append(respelled)
    leftover = matching_live() + [{"friendly_name": "Other", "_children": {}}]
    cases.append(leftover)
    cases.append([])
    for live in cases:
        assert account_problems(DOCUMENT, copy.deepcopy(live)) != [], live


def test_generated_configurations_are_valid() -> None:
    for seed in range(200):
        document = random_config(random.Random(seed))
        config = load_sources([("c.yaml", yaml.safe_dump(document).encode())], os.environ)
        assert config.object_count == object_count(document)
