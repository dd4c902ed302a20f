"""Every account the emulator serves: the main accounts it was started with and their subaccounts."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from verifyctl.emulator.accounts import MAX_NAME_LENGTH, Account
from verifyctl.emulator.errors import ApiError
from verifyctl.emulator.store import Store

ACTIVE = "active"
SUSPENDED = "suspended"
CLOSED = "closed"
STATUSES = (ACTIVE, SUSPENDED, CLOSED)
# The statuses whose credentials Twilio refuses (403 / 20403).
INACTIVE = (SUSPENDED, CLOSED)
# Twilio: "A main account can only have up to 1000 subaccounts by default."
DEFAULT_MAX_SUBACCOUNTS = 1000
# Subaccounts are stored as objects of their main account, in creation order.
SUBACCOUNT_KIND = "subaccount"

# Twilio's error dictionary (twilio.com/docs/api/errors/<code>); it gives these codes no HTTP status, and the
# emulator answers them 400, as the 2010-04-01 API answers a request it refuses.
NESTED_SUBACCOUNT = 21101
INVALID_STATUS = 21475
PARENT_STATUS = 21477
CLOSED_STATUS = 21479
TOO_MANY_SUBACCOUNTS = 21480


@dataclass(frozen=True)
class Served:
    """One account as the Accounts resource describes it; `owner` is the main account (itself for one)."""

    sid: str
    token: str
    name: str
    owner: str
    status: str
    created: float
    updated: float

    def __repr__(self) -> str:
        # The token never shows, even in a debugger or a traceback.
        return f"Served(sid={self.sid!r}, name={self.name!r}, owner={self.owner!r}, status={self.status!r})"

    @property
    def is_main(self) -> bool:
        return self.owner == self.sid

    def document(self) -> dict[str, Any]:
        """What the store keeps of a subaccount."""
        return {
            "sid": self.sid,
            "auth_token": self.token,
            "friendly_name": self.name,
            "status": self.status,
            "date_created": self.created,
            "date_updated": self.updated,
        }


def default_subaccount_name(now: float) -> str:
    """Twilio's default: `SubAccount Created at {YYYY-MM-DD HH:MM meridian}`."""
    when = datetime.fromtimestamp(now, tz=timezone.utc)
    return f"SubAccount Created at {when:%Y-%m-%d %I:%M %p}"


def tenant_names(count: int) -> list[str]:
    """`tenant-001` … : the names `--subaccounts N` seeds (three digits at least, more for a larger N)."""
    width = max(3, len(str(count)))
    return [f"tenant-{n:0{width}}" for n in range(1, count + 1)]


def check_name(raw: str) -> str:
    """A friendly name as Twilio takes it (up to 64 characters); control characters are refused too."""
    if len(raw) > MAX_NAME_LENGTH:
        raise ValueError(f"longer than {MAX_NAME_LENGTH} characters")
    if any(ord(char) < 32 or ord(char) == 127 for char in raw):
        raise ValueError("control characters are not allowed")
    if not raw.strip():
        raise ValueError("empty")
    return raw


def _refused(code: int, message: str) -> ApiError:
    return ApiError(400, code, message)


class Directory:
    """Accounts by SID with their tokens and statuses, held in memory and kept in the store.

    `tokens` is the live SID -> auth token map the credentials check reads: a subaccount created at run
    time authenticates at once.
    """

    def __init__(
        self,
        store: Store,
        main: Mapping[str, tuple[Account, float]],
        max_subaccounts: int = DEFAULT_MAX_SUBACCOUNTS,
    ) -> None:
        if max_subaccounts < 0:
            raise ValueError("max_subaccounts must not be negative")
        self.max_subaccounts = max_subaccounts
        self._store = store
        self._lock = threading.Lock()
        self._accounts: dict[str, Served] = {}
        # Main account SID -> its subaccounts' SIDs in creation order.
        self._children: dict[str, list[str]] = {}
        self.tokens: dict[str, str] = {}
        for sid, (account, created) in main.items():
            self._put(Served(sid, account.token, account.name, sid, ACTIVE, created, created))
            self._children[sid] = []
            rows, _ = store.page(sid, SUBACCOUNT_KIND, "", 2**31 - 1)
            for _, doc in rows:
                self._put(_from_document(doc, sid))
                self._children[sid].append(str(doc["sid"]))

    def __repr__(self) -> str:
        return f"Directory(accounts={len(self._accounts)})"

    def _put(self, account: Served) -> None:
        self._accounts[account.sid] = account
        self.tokens[account.sid] = account.token

    # Reading -----------------------------------------------------------------------------------

    def get(self, sid: str) -> Served | None:
        return self._accounts.get(sid)

    def status(self, sid: str) -> str | None:
        found = self._accounts.get(sid)
        return None if found is None else found.status

    def main_of(self, sid: str) -> str:
        """The main account of `sid` (itself for a main account)."""
        found = self._accounts.get(sid)
        return sid if found is None else found.owner

    def family(self, sid: str) -> list[str]:
        """The SIDs of `sid`'s main account and all its subaccounts, the main account first."""
        main = self.main_of(sid)
        with self._lock:
            return [main, *self._children.get(main, [])]

    def subaccounts(self, main: str) -> list[Served]:
        """The subaccounts of a main account, in creation order."""
        with self._lock:
            return [self._accounts[sid] for sid in self._children.get(main, [])]

    def visible_to(self, caller: str, sid: str) -> Served | None:
        """The account `caller` may read and manage: itself, or a subaccount when it is the main account."""
        found = self._accounts.get(sid)
        if found is None or (sid != caller and found.owner != caller):
            return None
        return found

    def listing(self, caller: str) -> list[Served]:
        """What `GET /Accounts.json` lists for `caller`: itself, then its subaccounts if it is a main one."""
        own = self._accounts.get(caller)
        if own is None:
            return []
        return [own, *self.subaccounts(caller)] if own.is_main else [own]

    # Writing -----------------------------------------------------------------------------------

    def create(self, caller: str, name: str | None, now: float) -> Served:
        """A new active subaccount of `caller`, with its own SID and token."""
        return self.create_many(caller, [name], now)[0]

    def create_many(self, caller: str, names: Iterable[str | None], now: float) -> list[Served]:
        """Subaccounts of `caller`, one per name (None: Twilio's default name), in one transaction."""
        owner = self._accounts.get(caller)
        if owner is None or not owner.is_main:
            raise _refused(NESTED_SUBACCOUNT, "Subaccounts cannot contain subaccounts")
        made = [
            Served(
                "AC" + secrets.token_hex(16),
                secrets.token_hex(16),
                default_subaccount_name(now) if name is None else name,
                caller,
                ACTIVE,
                now,
                now,
            )
            for name in names
        ]
        with self._lock:
            siblings = self._children[caller]
            open_ones = sum(1 for sid in siblings if self._accounts[sid].status != CLOSED)
            if open_ones + len(made) > self.max_subaccounts:
                raise _refused(
                    TOO_MANY_SUBACCOUNTS,
                    "Reached maximum number of subaccounts, please contact Twilio if you want to create more"
                    f" subaccounts (this emulator allows {self.max_subaccounts})",
                )
            with self._store.transaction():
                for account in made:
                    self._store.insert(caller, SUBACCOUNT_KIND, "", account.sid, account.document())
            for account in made:
                self._put(account)
                siblings.append(account.sid)
        return made

    def update(self, caller: str, target: Served, status: str | None, name: str | None, now: float) -> Served:
        """`target` with a new status and/or friendly name, as `POST /Accounts/{Sid}.json` changes it."""
        if status is not None:
            if status not in STATUSES:
                raise _refused(
                    INVALID_STATUS,
                    "Unable to update Status, invalid Status: it must be one of 'active', 'suspended' or"
                    " 'closed'",
                )
            if target.is_main:
                raise _refused(
                    PARENT_STATUS,
                    "Unable to update Status for parent accounts, status updates restricted to subaccounts"
                    " only",
                )
            if caller == target.sid:
                raise ApiError(
                    403,
                    20403,
                    "A subaccount's Status is changed with its main account's credentials",
                )
        with self._lock:
            current = self._accounts[target.sid]
            if status is not None and current.status == CLOSED:
                raise _refused(
                    CLOSED_STATUS,
                    "Unable to update Status for subaccount, subaccount is closed and can not be re-opened",
                )
            changed = replace(
                current,
                status=current.status if status is None else status,
                name=current.name if name is None else name,
                updated=now,
            )
            if not changed.is_main:
                with self._store.transaction():
                    self._store.replace(changed.owner, SUBACCOUNT_KIND, "", changed.sid, changed.document())
            self._put(changed)
        return changed


def _from_document(doc: dict[str, Any], owner: str) -> Served:
    return Served(
        str(doc["sid"]),
        str(doc["auth_token"]),
        str(doc["friendly_name"]),
        owner,
        str(doc["status"]),
        float(doc["date_created"]),
        float(doc["date_updated"]),
    )
