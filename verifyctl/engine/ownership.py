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
            own = _own_account_if_sub(client, account, declared)
            if own in ("", declared):
                return ""
            raise _mismatch(own, declared, environment, names, _PARENT_HINT)
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


# Why credentials that read a subaccount may still not be its own, and what to do.
_PARENT_HINT = (
    "a parent's credentials read its subaccounts, but Verify requests with them reach the parent's own"
    " services: use the subaccount's own credentials (or a fleet environment); nothing was written"
)


def _own_account_if_sub(client: GettingClient, account: Mapping[str, Any], declared: str) -> str:
    """For a subaccount (owned by another account), the account the credentials open; "" otherwise.

    A parent's credentials read each of its subaccounts too, while their Verify requests go to the
    parent's own services: for a subaccount the credentials' own account must be the subaccount.
    """
    owner = account.get("owner_account_sid")
    if not owner or owner == declared:
        return ""
    return _own_account(client)


def _own_account(client: GettingClient) -> str:
    """The SID of the account the credentials open, or "" when the API will not say.

    The list holds the caller's account and its subaccounts: a main account's credentials list their
    own account (its own owner) first; a subaccount's list only itself.
    """
    try:
        listing = client.get("/2010-04-01/Accounts.json")
    except (ApiError, TransportError):
        return ""
    accounts = [item for item in listing.get("accounts") or () if isinstance(item, dict)]
    mains = [item for item in accounts if item.get("owner_account_sid") in (None, item.get("sid"))]
    own = mains[0] if mains else accounts[0] if len(accounts) == 1 else None
    return str(own.get("sid") or "") if own else ""


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
