"""Checks that need the live account (run only by `plan`): the default template must exist and be approved."""

from __future__ import annotations

from collections.abc import Iterator

from verifyctl.config.models import ServiceConfig
from verifyctl.lint.context import Context, Hit


def _wanted(service: ServiceConfig) -> tuple[str, str] | None:
    if service.default_template_sid:
        return "default_template_sid", service.default_template_sid
    if service.default_template:
        return "default_template", service.default_template
    return None


def default_template_approved(ctx: Context) -> Iterator[Hit]:
    templates = ctx.templates or []
    locales = ctx.names("locales")
    for service in ctx.services:
        wanted = _wanted(service)
        if wanted is None:
            continue
        key, value = wanted
        by_sid = key == "default_template_sid"
        matches = [
            t for t in templates if (t.sid.upper() == value.upper() if by_sid else t.friendly_name == value)
        ]
        if len(matches) != 1:
            why = "no live template has" if not matches else f"{len(matches)} live templates have"
            message = f"{why} {key} {value!r}; pick one of the account's templates (by sid when names repeat)"
            yield Hit(service, service, key, message)
            continue
        template = matches[0]
        if template.channels and "sms" not in template.channels:
            message = (
                f"template {value!r} is not for sms (the only channel of a default template); pick another"
            )
            yield Hit(service, service, key, message)
        # Without `locales`, any one approved translation will do.
        missing = [loc for loc in locales if not template.approved(loc)]
        if missing or not any(template.approved(loc) for loc in template.statuses):
            shown = ", ".join(missing) if missing else "any locale"
            message = f"template {value!r} is not approved for {shown}; wait for approval or pick another"
            yield Hit(service, service, key, message)
