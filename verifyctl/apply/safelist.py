"""Apply a Safe List change: add a number (POST) or remove it (DELETE); both idempotent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from verifyctl.errors import ApiError, OutcomeUnknownError
from verifyctl.plan.model import Action, Change
from verifyctl.resources.codec import FormItems
from verifyctl.resources.kinds import SAFE_LIST
from verifyctl.resources.safelist import number_path

# How often an add whose outcome was unknown is sent again (as the executor's CREATE_ATTEMPTS).
ADD_ATTEMPTS = 3


class SafeListClient(Protocol):
    """What applying a Safe List change needs of the HTTP client."""

    def create(self, path: str, form: FormItems) -> dict[str, Any]: ...
    def delete(self, path: str) -> None: ...


def apply_safe_list(client: SafeListClient, change: Change) -> tuple[str, Mapping[str, Any] | None]:
    """Send the one request of a Safe List change; the detail shown for it, and the add's answer (None
    for a removal, or a number found listed already)."""
    number = change.address.key
    if change.action is Action.CREATE:
        return _add(client, number)
    if change.action is Action.DELETE:
        try:
            client.delete(number_path(number))
        except ApiError as error:
            if error.status != 404:  # already off the list is what a removal wants
                raise
        return "removed", None
    raise ValueError(f"a Safe List entry cannot be {change.action.value}d: {change.address}")


def _add(client: SafeListClient, number: str) -> tuple[str, Mapping[str, Any] | None]:
    for attempt in range(1, ADD_ATTEMPTS + 1):
        try:
            return "added", client.create(SAFE_LIST.collection_path, [("PhoneNumber", number)])
        except OutcomeUnknownError:
            # A resend cannot add the number twice: if the lost attempt worked, it answers 60411.
            if attempt == ADD_ATTEMPTS:
                raise
        except ApiError as error:
            # Added meanwhile, or by an earlier attempt whose answer was lost: either way it is listed.
            if error.code is None or error.code != SAFE_LIST.already_exists:
                raise
            return "already listed", None
    raise AssertionError("unreachable")
