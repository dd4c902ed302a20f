"""The `/v2` route table: path patterns and, per method, the handler that answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from verifyctl.emulator import resources, templates, workflow
from verifyctl.emulator.context import Context, Result
from verifyctl.emulator.resources import Collection

Handler = Callable[[Context], Result]

_SEGMENT = r"[^/]+"


def _crud(collection: Collection) -> tuple[dict[str, Handler], dict[str, Handler]]:
    """Handlers of a collection path (list, create) and of its instance path (fetch, update, delete)."""
    return (
        {"GET": partial(resources.list_objects, collection), "POST": partial(resources.create, collection)},
        {
            "GET": partial(resources.fetch, collection),
            "POST": partial(resources.update, collection),
            "DELETE": partial(resources.delete, collection),
        },
    )


def _table() -> list[tuple[re.Pattern[str], dict[str, Handler]]]:
    service = f"/v2/Services/(?P<service_sid>{_SEGMENT})"
    rate_limit = f"{service}/RateLimits/(?P<rate_limit_sid>{_SEGMENT})"
    collections = [
        ("/v2/Services", resources.SERVICES),
        (f"{service}/RateLimits", resources.RATE_LIMITS),
        (f"{rate_limit}/Buckets", resources.BUCKETS),
        (f"{service}/MessagingConfigurations", resources.MESSAGING_CONFIGURATIONS),
        (f"{service}/Webhooks", resources.WEBHOOKS),
    ]
    table: list[tuple[str, dict[str, Handler]]] = []
    for path, collection in collections:
        list_handlers, instance_handlers = _crud(collection)
        table.append((path, list_handlers))
        table.append((f"{path}/(?P<id>{_SEGMENT})", instance_handlers))
    table += [
        (f"{service}/Verifications", {"POST": workflow.create_verification}),
        (
            f"{service}/Verifications/(?P<id>{_SEGMENT})",
            {"GET": workflow.fetch_verification, "POST": workflow.update_verification},
        ),
        (f"{service}/VerificationCheck", {"POST": workflow.check_verification}),
        ("/v2/Templates", {"GET": templates.list_templates}),
    ]
    return [(re.compile(f"^{path}$"), handlers) for path, handlers in table]


ROUTES = _table()


def match(path: str) -> tuple[dict[str, Handler], dict[str, str]] | None:
    """The handlers by method for `path` and its path parameters, or None for an unknown path."""
    for pattern, handlers in ROUTES:
        found = pattern.match(path)
        if found:
            return handlers, found.groupdict()
    return None
