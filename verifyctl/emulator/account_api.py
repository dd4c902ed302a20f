"""The 2010-04-01 Accounts resource: create, list, fetch and update accounts and subaccounts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from verifyctl.emulator.accounts import ACCOUNTS_LIST_PATH, ACCOUNTS_PREFIX, SUBRESOURCES, rfc2822
from verifyctl.emulator.directory import STATUSES, Directory, Served, check_name
from verifyctl.emulator.errors import METHOD_NOT_ALLOWED, ApiError, invalid, not_found
from verifyctl.emulator.pagination import parse_page_request, slice_list
from verifyctl.emulator.validation import Form


def account_resource(account: Served) -> dict[str, Any]:
    """The Account resource as Twilio answers it, its `auth_token` included (as Twilio's own answers are)."""
    uri = f"{ACCOUNTS_PREFIX}{account.sid}"
    return {
        "auth_token": account.token,
        "date_created": rfc2822(account.created),
        "date_updated": rfc2822(account.updated),
        "friendly_name": account.name,
        "owner_account_sid": account.owner,
        "sid": account.sid,
        "status": account.status,
        "subresource_uris": {key: f"{uri}/{path}.json" for key, path in SUBRESOURCES.items()},
        "type": "Full",
        "uri": f"{uri}.json",
    }


def _not_allowed(allowed: str) -> ApiError:
    return ApiError(405, METHOD_NOT_ALLOWED, "Method not allowed", {"Allow": allowed})


def _friendly_name(form: Form) -> str | None:
    raw = form.get("FriendlyName")
    if raw is None:
        return None
    try:
        return check_name(raw)
    except ValueError as error:
        raise invalid("FriendlyName", str(error)) from None


class AccountsApi:
    """Answers `/2010-04-01/Accounts.json` and `/2010-04-01/Accounts/{Sid}.json` for one caller."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def collection(self, method: str, query: Form, form: Form, caller: str, now: float) -> tuple[int, Any]:
        if method == "GET":
            return 200, self._list(query, caller)
        if method == "POST":
            return 201, account_resource(self.directory.create(caller, _friendly_name(form), now))
        raise _not_allowed("GET, POST")

    def instance(
        self, method: str, path: str, sid: str, form: Form, caller: str, now: float
    ) -> tuple[int, Any]:
        # Twilio answers an account that is neither the caller nor its subaccount as if it did not exist.
        target = self.directory.visible_to(caller, sid)
        if target is None:
            raise not_found(path)
        if method == "GET":
            return 200, account_resource(target)
        if method == "POST":
            status, name = form.get("Status"), _friendly_name(form)
            changed = self.directory.update(caller, target, status, name, now)
            return 200, account_resource(changed)
        raise _not_allowed("GET, POST")

    def _list(self, query: Form, caller: str) -> dict[str, Any]:
        request = parse_page_request(query)
        filters: dict[str, str] = {}
        name, status = query.get("FriendlyName"), query.get("Status")
        if name is not None:
            filters["FriendlyName"] = name
        if status is not None:
            if status not in STATUSES:
                raise invalid("Status", "one of active, suspended or closed")
            filters["Status"] = status
        # Positions from 1 in the caller's listing, which only grows: a page token stays valid.
        rows = [
            (position, account)
            for position, account in enumerate(self.directory.listing(caller), start=1)
            if (name is None or account.name == name) and (status is None or account.status == status)
        ]
        chosen, more = slice_list(rows, request)

        def page_uri(page: int, token: str | None) -> str:
            params = {**filters, "PageSize": str(request.size), "Page": str(page)}
            if token is not None:
                params["PageToken"] = token
            return f"{ACCOUNTS_LIST_PATH}?{urlencode(params)}"

        start = request.page * request.size
        has_previous = request.page > 0 and bool(chosen)
        return {
            "accounts": [account_resource(account) for _, account in chosen],
            "end": start + max(len(chosen) - 1, 0),
            "first_page_uri": page_uri(0, None),
            "next_page_uri": page_uri(request.page + 1, f"PA{chosen[-1][0]}") if more else None,
            "page": request.page,
            "page_size": request.size,
            "previous_page_uri": page_uri(request.page - 1, f"PB{chosen[0][0]}") if has_previous else None,
            "start": start,
            "uri": page_uri(request.page, request.token),
        }
