"""The account a run talks to, as the API describes it: its friendly name, for plans and prompts."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from verifyctl.errors import ApiError, TransportError

logger = logging.getLogger("verifyctl.state")


class GettingClient(Protocol):
    def get(self, path: str) -> dict[str, Any]: ...


def read_account_name(client: GettingClient, account_sid: str) -> str:
    """The account's friendly name, or "" when these credentials may not read the account resource.

    Restricted API keys may lack that permission; the SID alone still names the account, so a refusal
    here is not an error.
    """
    try:
        account = client.get(f"/2010-04-01/Accounts/{account_sid}.json")
    except (ApiError, TransportError) as error:
        logger.info("the account's name could not be read: %s", error)
        return ""
    name = account.get("friendly_name")
    return name if isinstance(name, str) else ""
