"""The `/v2` route table: path patterns and, per method, the handler that answers."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import partial

from verifyctl.emulator import children, collection, safelist, services, templates
from verifyctl.emulator.collection import Collection
from verifyctl.emulator.context import Context, Result

Handler = Callable[[Context], Result]

_SEGMENT = r"[^/]+"


def _later(module: str, **by_method: str) -> dict[str, Handler]:
    """Handlers by method, named in `verifyctl.emulator.<module>`, which is imported at its first request.

    The Verify workflow's and the identities' modules (their tables, signatures and WebAuthn) stay
    unimported by a run that only manages services, as `--local` plans and applies do.
    """

    def on_first_call(name: str) -> Handler:
        def handler(context: Context) -> Result:
            found: Handler = getattr(importlib.import_module(f"verifyctl.emulator.{module}"), name)
            return found(context)

        return handler

    return {method: on_first_call(name) for method, name in by_method.items()}


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
        (f"{service}/Entities", _later("entities", GET="list_entities", POST="create_entity")),
        (entity, _later("entities", GET="fetch_entity", DELETE="delete_entity")),
        (f"{entity}/Factors", _later("factors", GET="list_factors", POST="create_factor")),
        (
            f"{entity}/Factors/{instance}",
            _later("factors", GET="fetch_factor", POST="update_factor", DELETE="delete_factor"),
        ),
        (f"{entity}/Challenges", _later("challenges", GET="list_challenges", POST="create_challenge")),
        (
            f"{entity}/Challenges/{instance}",
            _later("challenges", GET="fetch_challenge", POST="update_challenge"),
        ),
        (
            f"{entity}/Challenges/(?P<challenge_sid>{_SEGMENT})/Notifications",
            _later("challenges", POST="create_notification"),
        ),
        (f"{service}/AccessTokens", _later("access_tokens", POST="create_access_token")),
        (f"{service}/AccessTokens/{instance}", _later("access_tokens", GET="fetch_access_token")),
        (f"{service}/Passkeys/Factors", _later("passkeys", POST="create_factor")),
        (f"{service}/Passkeys/VerifyFactor", _later("passkeys", POST="verify_factor")),
        (f"{service}/Passkeys/Challenges", _later("passkeys", POST="create_challenge")),
        (f"{service}/Passkeys/ApproveChallenge", _later("passkeys", POST="approve_challenge")),
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
        (f"{service}/Verifications", _later("workflow", POST="create_verification")),
        (
            f"{service}/Verifications/(?P<id>{_SEGMENT})",
            _later("workflow", GET="fetch_verification", POST="update_verification"),
        ),
        (f"{service}/VerificationCheck", _later("workflow", POST="check_verification")),
        ("/v2/Templates", {"GET": templates.list_templates}),
        ("/v2/SafeList/Numbers", {"POST": safelist.create}),
        (
            f"/v2/SafeList/Numbers/(?P<phone_number>{_SEGMENT})",
            {"GET": safelist.fetch, "DELETE": safelist.delete},
        ),
        ("/v2/Attempts", _later("attempts", GET="list_attempts")),
        # Before `/v2/Attempts/{Sid}`, which would otherwise take `Summary` for a SID.
        ("/v2/Attempts/Summary", _later("attempts", GET="summary")),
        (f"/v2/Attempts/(?P<id>{_SEGMENT})", _later("attempts", GET="fetch_attempt")),
        (f"/v2/Forms/(?P<id>{_SEGMENT})", _later("forms", GET="fetch_form")),
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
