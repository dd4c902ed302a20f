"""Refuse credentials that belong to another account than the environment declares, before any write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from verifyctl.errors import AccountMismatchError, ApiError, TransportError
from verifyctl.plan.model import mask_sid


class GettingClient(Protocol):
    @property
    def base_url(self) -> str: ...
    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]: ...


def check_owner(
    client: GettingClient,
    declared: str,
    environment: str,
    names: str,
    verify: GettingClient | None = None,
) -> str:
    """One read of the declared account resource; "" when it proves the owner, else why it cannot.

    Twilio answers another account's SID as if it did not exist (404): those credentials open another
    account (exit 3). A 401 (Twilio 20003) is a wrong or rotated secret (exit 1, the hint naming the
    environment's variables), unless the credentials are an API key (`verify` given): Standard and
    Restricted keys may not read the Accounts resource, so one Verify read tells the cases apart.
    """
    try:
        account = client.get(f"/2010-04-01/Accounts/{declared}.json")
        if account.get("sid") == declared:
            return ""
    except ApiError as error:
        # A key's refusal may also come as 403 (a Restricted key's missing permission, Twilio 70051).
        if verify is not None and error.status in (401, 403):
            return _owner_by_services(verify, error, client.base_url, declared, environment, names)
        if error.status == 401 or error.code == 20003:
            raise _authentication_failure(error, client.base_url, declared, environment, names) from None
        if error.status not in (403, 404):
            raise
    owner = _own_account(client)
    raise _mismatch(owner, declared, environment, names)


def _owner_by_services(
    verify: GettingClient, refused: ApiError, accounts_url: str, declared: str, environment: str, names: str
) -> str:
    """The owner an API key's first Verify service shows; "" when it is the declared one, else why unknown."""
    try:
        listing = verify.get("/v2/Services", {"PageSize": "1"})
    except ApiError as error:
        if error.status == 401 or error.code == 20003:
            raise _authentication_failure(error, accounts_url, declared, environment, names) from None
        raise
    services = listing.get("services")
    if isinstance(services, list) and services and isinstance(services[0], dict):
        owner = str(services[0].get("account_sid") or "")
        if owner == declared:
            return ""
        raise _mismatch(owner, declared, environment, names, "one service was listed, nothing written")
    return (
        f"environment {environment}: the account of the API key in {names} is not proven yet: a Standard or"
        f" Restricted key cannot read /Accounts ({refused.status}, code {refused.code}) and the account has"
        " no Verify service to show its owner"
    )


def _mismatch(
    owner: str, declared: str, environment: str, names: str, done: str = "nothing was read or written"
) -> AccountMismatchError:
    whose = f"belong to account {mask_sid(owner)}" if owner else "do not open that account"
    return AccountMismatchError(
        f"environment {environment}: the credentials in {names} {whose}, not {mask_sid(declared)} as"
        f" its account_sid says; {done}"
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
