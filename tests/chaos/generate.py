"""Random valid configurations, drawn from a seeded random.Random so that a failing seed can be replayed."""

from __future__ import annotations

import random
from typing import Any, get_args

from verifyctl.config.models import EventType

SERVICE_NAMES = ["Acme Login", "Acme Pay", "Globex Auth", "Initech", "Umbrella Verify"]
# Case variants of one name: a rename between runs is a replace (unique_name cannot be updated).
RATE_LIMIT_NAMES = ["end_user_ip", "End_User_IP", "end_user_phone", "device"]
INTERVALS = [60, 300, 3600, 86400]
COUNTRIES = ["US", "CA", "GB", "DE", "all"]
WEBHOOK_NAMES = ["audit", "alerts", "ops"]
EVENT_TYPES = list(get_args(EventType))
MG = ["MG" + "0123456789abcdef" * 2, "MG" + "fedcba9876543210" * 2]


def _maybe(rng: random.Random, probability: float = 0.5) -> bool:
    return rng.random() < probability


def _distinct_by_casefold(rng: random.Random, pool: list[str], most: int) -> list[str]:
    chosen: list[str] = []
    for name in rng.sample(pool, len(pool)):
        if len(chosen) < most and all(name.casefold() != c.casefold() for c in chosen):
            chosen.append(name)
    return chosen


def random_service(rng: random.Random, name: str) -> dict[str, Any]:
    service: dict[str, Any] = {"friendly_name": name}
    if _maybe(rng):
        service["code_length"] = rng.randint(4, 10)
    for flag in ("lookup_enabled", "psd2_enabled", "do_not_share_warning_enabled", "dtmf_input_required"):
        if _maybe(rng, 0.3):
            service[flag] = _maybe(rng)
    if _maybe(rng, 0.3):
        service["tts_name"] = rng.choice(["Alice", "Bob", "Carol"])
    if _maybe(rng, 0.3):
        totp = {
            "issuer": rng.choice(["Acme", "Globex"]),
            "time_step": rng.randint(20, 60),
            "code_length": rng.randint(3, 8),
            "skew": rng.randint(0, 2),
        }
        service["totp"] = {k: v for k, v in totp.items() if _maybe(rng, 0.7)} or {"skew": 1}
    if _maybe(rng, 0.7):
        service["rate_limits"] = [
            {
                "unique_name": unique_name,
                **({"description": f"per {unique_name}"} if _maybe(rng) else {}),
                "buckets": [
                    {"interval": interval, "max": rng.randint(1, 50)}
                    for interval in rng.sample(INTERVALS, rng.randint(0, 2))
                ],
            }
            for unique_name in _distinct_by_casefold(rng, RATE_LIMIT_NAMES, rng.randint(0, 2))
        ]
    if _maybe(rng, 0.6):
        service["messaging_configurations"] = [
            {"country": country, "messaging_service_sid": rng.choice(MG)}
            for country in rng.sample(COUNTRIES, rng.randint(0, 2))
        ]
    if _maybe(rng, 0.6):
        service["webhooks"] = [
            {
                "friendly_name": webhook,
                "event_types": rng.sample(EVENT_TYPES, rng.randint(1, 3)),
                "webhook_url": f"https://hooks.example.com/{webhook}/{rng.randint(1, 3)}",
                **({"status": rng.choice(["enabled", "disabled"])} if _maybe(rng) else {}),
                **({"version": rng.choice(["v1", "v2"])} if _maybe(rng) else {}),
            }
            for webhook in rng.sample(WEBHOOK_NAMES, rng.randint(0, 2))
        ]
    return service


def random_config(rng: random.Random, prune: bool | None = None) -> dict[str, Any]:
    """A valid document: 1-3 services, sometimes owning the whole account (`prune: true`)."""
    names = rng.sample(SERVICE_NAMES, rng.randint(1, 3))
    document: dict[str, Any] = {"version": 1, "services": [random_service(rng, name) for name in names]}
    # The suite covers the API's whole code-length range (4-10); the default policy asks for 6 or more.
    document["policy"] = {
        "rules": {"code-length": {"min": 4, "reason": "the suite covers the whole API range"}}
    }
    if prune if prune is not None else _maybe(rng):
        document["prune"] = True
    return document


def object_count(document: dict[str, Any]) -> int:
    total = 0
    for service in document["services"]:
        total += 1 + len(service.get("messaging_configurations") or []) + len(service.get("webhooks") or [])
        for rate_limit in service.get("rate_limits") or []:
            total += 1 + len(rate_limit.get("buckets") or [])
    return total
