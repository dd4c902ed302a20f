"""The `/v2` route table: path patterns and, per method, the handler that answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from verifyctl.emulator import (
    access_tokens,
    attempts,
    challenges,
    children,
    collection,
    entities,
    factors,
    forms,
    passkeys,
    safelist,
    services,
    templates,
    workflow,
)
from verifyctl.emulator.collection import Collection
from verifyctl.emulator.context import Context, Result

Handler = Callable[[Context], Result]

_SEGMENT = r"[^/]+"


def _crud(kind: Collection) -> tuple[dict[str, Handler], dict[str, Handler]]:
    """Handlers of a collection path (list, create) and of its instance path (fetch, update, delete)."""
    return (
        {"GET": partial(collection.list_objects, kind), "POST": partial(collection.create, kind)},
        {
            "GET": partial(collection.fetch, kind),
            "POST": partial(collection.update, kind),
            "DELETE": partial(collection.delete, kind),
        },
    )


def _identity_routes(service: str) -> list[tuple[str, dict[str, Handler]]]:
    """Entities, their factors and challenges, access tokens and passkeys (Verify Push, TOTP, Passkeys)."""
    entity = f"{service}/Entities/(?P<identity>{_SEGMENT})"
    instance = f"(?P<id>{_SEGMENT})"
    return [
        (f"{service}/Entities", {"GET": entities.list_entities, "POST": entities.create_entity}),
        (entity, {"GET": entities.fetch_entity, "DELETE": entities.delete_entity}),
        (f"{entity}/Factors", {"GET": factors.list_factors, "POST": factors.create_factor}),
        (
            f"{entity}/Factors/{instance}",
            {"GET": factors.fetch_factor, "POST": factors.update_factor, "DELETE": factors.delete_factor},
        ),
        (f"{entity}/Challenges", {"GET": challenges.list_challenges, "POST": challenges.create_challenge}),
        (
            f"{entity}/Challenges/{instance}",
            {"GET": challenges.fetch_challenge, "POST": challenges.update_challenge},
        ),
        (
            f"{entity}/Challenges/(?P<challenge_sid>{_SEGMENT})/Notifications",
            {"POST": challenges.create_notification},
        ),
        (f"{service}/AccessTokens", {"POST": access_tokens.create_access_token}),
        (f"{service}/AccessTokens/{instance}", {"GET": access_tokens.fetch_access_token}),
        (f"{service}/Passkeys/Factors", {"POST": passkeys.create_factor}),
        (f"{service}/Passkeys/VerifyFactor", {"POST": passkeys.verify_factor}),
        (f"{service}/Passkeys/Challenges", {"POST": passkeys.create_challenge}),
        (f"{service}/Passkeys/ApproveChallenge", {"POST": passkeys.approve_challenge}),
    ]


def _table() -> list[tuple[re.Pattern[str], dict[str, Handler]]]:
    service = f"/v2/Services/(?P<service_sid>{_SEGMENT})"
    rate_limit = f"{service}/RateLimits/(?P<rate_limit_sid>{_SEGMENT})"
    collections = [
        ("/v2/Services", services.SERVICES),
        (f"{service}/RateLimits", children.RATE_LIMITS),
        (f"{rate_limit}/Buckets", children.BUCKETS),
        (f"{service}/MessagingConfigurations", children.MESSAGING_CONFIGURATIONS),
        (f"{service}/Webhooks", children.WEBHOOKS),
    ]
    table: list[tuple[str, dict[str, Handler]]] = []
    for path, kind in collections:
        list_handlers, instance_handlers = _crud(kind)
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
        ("/v2/SafeList/Numbers", {"POST": safelist.create}),
        (
            f"/v2/SafeList/Numbers/(?P<phone_number>{_SEGMENT})",
            {"GET": safelist.fetch, "DELETE": safelist.delete},
        ),
        ("/v2/Attempts", {"GET": attempts.list_attempts}),
        # Before `/v2/Attempts/{Sid}`, which would otherwise take `Summary` for a SID.
        ("/v2/Attempts/Summary", {"GET": attempts.summary}),
        (f"/v2/Attempts/(?P<id>{_SEGMENT})", {"GET": attempts.fetch_attempt}),
        (f"/v2/Forms/(?P<id>{_SEGMENT})", {"GET": forms.fetch_form}),
    ]
    table += _identity_routes(service)
    return [(re.compile(f"^{path}$"), handlers) for path, handlers in table]


ROUTES = _table()


def match(path: str) -> tuple[dict[str, Handler], dict[str, str]] | None:
    """The handlers by method for `path` and its path parameters, or None for an unknown path."""
    for pattern, handlers in ROUTES:
        found = pattern.match(path)
        if found:
            return handlers, found.groupdict()
    return None
