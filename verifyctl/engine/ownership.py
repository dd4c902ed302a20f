"""Refuse credentials that belong to another account than the environment declares, before any write."""

from __future__ import annotations

from typing import Any, Protocol

from verifyctl.errors import AccountMismatchError, ApiError, TransportError
from verifyctl.plan.model import mask_sid


class GettingClient(Protocol):
    @property
    def base_url(self) -> str: ...
    def get(self, path: str) -> dict[str, Any]: ...


def check_owner(client: GettingClient, declared: str, environment: str, names: str) -> None:
    """One read of the declared account resource; when it is refused, name the account the keys open.

    Twilio answers another account's SID as if it did not exist (404): those credentials open another
    account (exit 3). A 401 (Twilio 20003) is a wrong or rotated secret, an authentication failure as
    anywhere else (exit 1), its hint naming the environment's variables. Nothing is read or written.
    """
    try:
        account = client.get(f"/2010-04-01/Accounts/{declared}.json")
        if account.get("sid") == declared:
            return
    except ApiError as error:
        if error.status == 401 or error.code == 20003:
            raise _authentication_failure(error, client.base_url, declared, environment, names) from None
        if error.status not in (403, 404):
            raise
    owner = _own_account(client)
    whose = f"belong to account {mask_sid(owner)}" if owner else "do not open that account"
    raise AccountMismatchError(
        f"environment {environment}: the credentials in {names} {whose}, not {mask_sid(declared)} as"
        " its account_sid says; nothing was read or written"
    )


def _own_account(client: GettingClient) -> str:
    """The SID of the account the credentials open, or "" when the API will not say."""
    try:
        listing = client.get("/2010-04-01/Accounts.json")
    except (ApiError, TransportError):
        return ""
    accounts = listing.get("accounts")
    if isinstance(accounts, list) and accounts and isinstance(accounts[0], dict):
        return str(accounts[0].get("owner_account_sid") or accounts[0].get("sid") or "")
    return ""


def _authentication_failure(
    error: ApiError, base_url: str, declared: str, environment: str, names: str
) -> ApiError:
    """The API's refusal with the environment's hint in place of the TWILIO_* one the client adds."""
    failure = ApiError(
        status=error.status,
        code=error.code,
        message=error.api_message,
        more_info=error.more_info,
        method=error.method,
        path=error.path,
    )
    failure.message = (
        f"environment {environment}: {failure.message}; {base_url} refused the credentials for account"
        f" {mask_sid(declared)}: check {names} (a wrong or rotated secret); nothing was read or written"
    )
    failure.args = (failure.message,)
    return failure
