"""Apply a Safe List change: add a number (POST) or remove it (DELETE); both idempotent."""

from __future__ import annotations

from typing import Protocol

from verifyctl.errors import ApiError, OutcomeUnknownError
from verifyctl.plan.model import Action, Change
from verifyctl.resources.codec import FormItems
from verifyctl.resources.kinds import SAFE_LIST
from verifyctl.resources.safelist import number_path

# How often an add whose outcome was unknown is sent again (as the executor's CREATE_ATTEMPTS).
ADD_ATTEMPTS = 3


class SafeListClient(Protocol):
    """What applying a Safe List change needs of the HTTP client."""

    def create(self, path: str, form: FormItems) -> object: ...
    def delete(self, path: str) -> None: ...


def apply_safe_list(client: SafeListClient, change: Change) -> str:
    """Send the one request of a Safe List change; the detail shown for it."""
    number = change.address.key
    if change.action is Action.CREATE:
        return _add(client, number)
    if change.action is Action.DELETE:
        try:
            client.delete(number_path(number))
        except ApiError as error:
            if error.status != 404:  # already off the list is what a removal wants
                raise
        return "removed"
    raise ValueError(f"a Safe List entry cannot be {change.action.value}d: {change.address}")


def _add(client: SafeListClient, number: str) -> str:
    for attempt in range(1, ADD_ATTEMPTS + 1):
        try:
            client.create(SAFE_LIST.collection_path, [("PhoneNumber", number)])
            return "added"
        except OutcomeUnknownError:
            # A resend cannot add the number twice: if the lost attempt worked, it answers 60411.
            if attempt == ADD_ATTEMPTS:
                raise
        except ApiError as error:
            # Added meanwhile, or by an earlier attempt whose answer was lost: either way it is listed.
            if error.code is None or error.code != SAFE_LIST.already_exists:
                raise
            return "already listed"
    raise AssertionError("unreachable")
