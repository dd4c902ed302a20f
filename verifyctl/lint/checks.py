"""The offline checks: each looks at the desired services alone and yields a hit per place it objects to."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from verifyctl.config.models import BucketConfig, ServiceConfig
from verifyctl.lint.context import Context, Hit


def code_length(ctx: Context) -> Iterator[Hit]:
    minimum = ctx.number("min")
    for service in ctx.services:
        # Left out, the service keeps Twilio's default of 6; only a written value can be short.
        if service.code_length is not None and service.code_length < minimum:
            message = f"code_length is {service.code_length}; set it to at least {minimum}"
            yield Hit(service, service, "code_length", message)


def landline_skip_needs_lookup(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        if service.skip_sms_to_landlines and service.lookup_enabled is not True:
            state = "false" if service.lookup_enabled is False else "left out"
            message = f"skip_sms_to_landlines needs lookup_enabled: true (it is {state}); enable lookup"
            yield Hit(service, service, "skip_sms_to_landlines", message)


def rate_limit_without_buckets(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        for rate_limit in service.rate_limits or []:
            if rate_limit.buckets:
                continue
            written = "buckets: []" if rate_limit.buckets is not None else "no buckets"
            message = (
                f"rate limit {rate_limit.unique_name!r} has {written}, so it limits nothing;"
                " add a bucket such as {interval: 60, max: 5}"
            )
            yield Hit(service, rate_limit, "buckets", message)


def _dead_bucket(shorter: BucketConfig, longer: BucketConfig) -> str | None:
    """Why one of two buckets (by interval) can never be the one that stops a request, if so."""
    if longer.interval == shorter.interval:
        return f"interval {longer.interval} is written twice"
    if longer.max <= shorter.max:
        return (
            f"{longer.interval}s allows {longer.max}, not more than {shorter.max} in {shorter.interval}s,"
            f" so the {shorter.interval}s bucket never applies"
        )
    # Within `longer.interval` the shorter bucket already caps requests at this many.
    ceiling = shorter.max * math.ceil(longer.interval / shorter.interval)
    if longer.max >= ceiling:
        return (
            f"{longer.interval}s allows {longer.max}, but {shorter.max} per {shorter.interval}s already caps"
            f" it at {ceiling}, so the {longer.interval}s bucket never applies"
        )
    return None


def bucket_intervals(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        for rate_limit in service.rate_limits or []:
            buckets = sorted(rate_limit.buckets or [], key=lambda b: b.interval)
            for shorter, longer in zip(buckets, buckets[1:], strict=False):
                why = _dead_bucket(shorter, longer)
                if why:
                    message = (
                        f"rate limit {rate_limit.unique_name!r}: {why}; make longer intervals allow more"
                        " requests, at a lower rate"
                    )
                    yield Hit(service, longer, "max", message)


def webhook_https(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        for webhook in service.webhooks or []:
            url = webhook.webhook_url
            parts = urlsplit(url) if not re.search(r"\s", url) else None
            if parts is None or parts.scheme != "https" or not parts.hostname:
                message = f"webhook {webhook.friendly_name!r} is not an https:// URL; use https"
                yield Hit(service, webhook, "webhook_url", message)


def webhook_without_events(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        for webhook in service.webhooks or []:
            if not webhook.event_types:
                message = (
                    f"webhook {webhook.friendly_name!r} lists no event_types, so it is never called;"
                    " list the events it is for"
                )
                yield Hit(service, webhook, "event_types", message)


def webhook_disabled(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        for webhook in service.webhooks or []:
            if webhook.status == "disabled":
                message = (
                    f"webhook {webhook.friendly_name!r} is disabled, so it delivers nothing;"
                    " enable it or remove it from the configuration"
                )
                yield Hit(service, webhook, "status", message)


def totp_ranges(ctx: Context) -> Iterator[Hit]:
    low, high, max_skew = ctx.number("min_time_step"), ctx.number("max_time_step"), ctx.number("max_skew")
    for service in ctx.services:
        totp = service.totp
        if totp is None:
            continue
        if totp.time_step is not None and not low <= totp.time_step <= high:
            message = f"totp.time_step is {totp.time_step}; set it between {low} and {high} seconds"
            yield Hit(service, totp, "time_step", message)
        if totp.skew is not None and not 0 <= totp.skew <= max_skew:
            message = f"totp.skew is {totp.skew}; set it between 0 and {max_skew} time steps"
            yield Hit(service, totp, "skew", message)


def psd2_noted(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        if service.psd2_enabled:
            message = (
                "psd2_enabled: every verification of this service must send Amount and Payee;"
                " check that the application does"
            )
            yield Hit(service, service, "psd2_enabled", message)


def service_without_rate_limit(ctx: Context) -> Iterator[Hit]:
    for service in ctx.services:
        if service.rate_limits:
            continue
        if service.rate_limits is None:
            message = "declares no rate limits (live ones are left alone); declare rate_limits with buckets"
            yield Hit(service, service, None, message)
        else:
            yield Hit(service, service, "rate_limits", "rate_limits is []; declare a rate limit with buckets")


def output_name(friendly_name: str) -> str:
    """The `output --format env` variable of a service: `Acme Login` -> `ACME_LOGIN_VERIFY_SERVICE_SID`."""
    return re.sub(r"[^A-Za-z0-9]", "_", friendly_name).upper() + "_VERIFY_SERVICE_SID"


def duplicate_friendly_names(ctx: Context) -> Iterator[Hit]:
    # Keyed by the service object: one hit per service, naming every environment where it collides.
    clashes: dict[int, tuple[ServiceConfig, ServiceConfig, list[str]]] = {}
    for environment, services in ctx.environments.items():
        first: dict[str, ServiceConfig] = {}
        for service in services:
            if service.ensure == "absent":
                continue
            earlier = first.setdefault(output_name(service.friendly_name), service)
            if earlier is not service:
                clashes.setdefault(id(service), (service, earlier, []))[2].append(environment)
    for service, earlier, environments in clashes.values():
        file, line, column = ctx.place(earlier)
        # Without environments there is one, "default", which the message need not name.
        shown = "" if environments == ["default"] else f" in environment {', '.join(environments)}"
        message = (
            f"{service.friendly_name!r} and {earlier.friendly_name!r} ({file}:{line}:{column}) both give"
            f" {output_name(service.friendly_name)}{shown}; rename one"
        )
        yield Hit(service, service, "friendly_name", message)
