"""Service Rate Limits enforced on verification create: each bucket a sliding window per rate-limit key."""

from __future__ import annotations

import json
import math
from typing import Any

from verifyctl.emulator.context import Context
from verifyctl.emulator.errors import TOO_MANY_REQUESTS, ApiError, invalid
from verifyctl.emulator.safelist import is_safe_listed
from verifyctl.emulator.store import child_scope

# Accepted sends of one (bucket, key value): {"times": [epoch seconds, ...]}, below the bucket's scope so
# that deleting the bucket or its rate limit deletes them too.
HITS = "rate_limit_hits"
_ALL = 2**31 - 1


def _keys(ctx: Context) -> dict[str, str]:
    raw = ctx.form.get("RateLimits")
    if raw is None:
        return {}
    parsed = json.loads(raw)  # already checked to be a JSON object by the workflow
    keys: dict[str, str] = {}
    for name, value in parsed.items():
        if isinstance(value, (dict, list)) or value is None:
            raise invalid("RateLimits", f"the value of {name!r} must be a string or a number")
        keys[str(name)] = str(value)
    return keys


def _window(hits: list[float], now: float, interval: int) -> list[float]:
    """The hits still inside the window that ends now (a sliding window of `interval` seconds)."""
    return [t for t in hits if t > now - interval]


def enforce(ctx: Context, service_sid: str, to: str) -> None:
    """Count this send against every bucket of every rate limit named in `RateLimits`, or refuse it.

    Exceeding a bucket answers 429 with code 20429 "Too many requests": the spec's one documented error on
    CreateVerification (example `createVerificationRateLimitExceeded`, headers `Retry-After` and
    `Twilio-Reached-Rate-Limit`), and twilio.com/docs/api/errors/20429 names "Exceeding Verify Service Rate
    Limits that you configure ... enforced when starting verifications" as a cause. A refused send is not
    counted. A Safe-Listed `To` is not metered at all (the emulator's model; see the behaviour doc).
    """
    keys = _keys(ctx)
    if not keys or is_safe_listed(ctx, to):
        return
    now = ctx.now()
    updates: list[tuple[str, str, list[float], bool]] = []
    for unique_name, value in keys.items():
        rate_limit = ctx.store.latest_by_alt(ctx.account_sid, "rate_limit", service_sid, unique_name)
        if rate_limit is None:
            raise invalid("RateLimits", f"no rate limit named {unique_name!r} in this service")
        bucket_scope = child_scope(service_sid, rate_limit["sid"])
        buckets, _ = ctx.store.page(ctx.account_sid, "bucket", bucket_scope, _ALL)
        for _, bucket in buckets:
            hits_scope = child_scope(bucket_scope, bucket["sid"])
            stored = ctx.store.get(ctx.account_sid, HITS, hits_scope, value)
            hits = _window(stored["times"] if stored else [], now, bucket["interval"])
            if len(hits) >= bucket["max"]:
                retry = max(1, math.ceil(min(hits) + bucket["interval"] - now))
                headers = {"Retry-After": str(retry), "Twilio-Reached-Rate-Limit": unique_name}
                raise ApiError(429, TOO_MANY_REQUESTS, "Too many requests", headers)
            updates.append((hits_scope, value, [*hits, now], stored is not None))
    for hits_scope, value, times, exists in updates:
        doc: dict[str, Any] = {"times": times}
        if exists:
            ctx.store.replace(ctx.account_sid, HITS, hits_scope, value, doc)
        else:
            ctx.store.insert(ctx.account_sid, HITS, hits_scope, value, doc)
