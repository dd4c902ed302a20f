"""The accounts the emulator serves and the `/2010-04-01/Accounts/{Sid}.json` resource that names them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

ACCOUNTS_PREFIX = "/2010-04-01/Accounts/"
# Every path of the Accounts resource (the list and one account), which only some credentials may read.
ACCOUNTS_RESOURCE = "/2010-04-01/Accounts"
# The list of the accounts the credentials open: how a client learns which account an API key is of.
ACCOUNTS_LIST_PATH = "/2010-04-01/Accounts.json"
_ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)\.json$")
# Twilio documents friendly names of up to 64 characters.
MAX_NAME_LENGTH = 64

# The subresource map Twilio answers with (relative to the API host); the emulator serves none of them,
# but a client that reads the map sees the documented shape.
SUBRESOURCES = {
    "addresses": "Addresses",
    "applications": "Applications",
    "authorized_connect_apps": "AuthorizedConnectApps",
    "available_phone_numbers": "AvailablePhoneNumbers",
    "balance": "Balance",
    "calls": "Calls",
    "conferences": "Conferences",
    "connect_apps": "ConnectApps",
    "incoming_phone_numbers": "IncomingPhoneNumbers",
    "keys": "Keys",
    "messages": "Messages",
    "notifications": "Notifications",
    "outgoing_caller_ids": "OutgoingCallerIds",
    "queues": "Queues",
    "recordings": "Recordings",
    "short_codes": "SMS/ShortCodes",
    "signing_keys": "SigningKeys",
    "transcriptions": "Transcriptions",
    "usage": "Usage",
}


@dataclass(frozen=True)
class Account:
    """One account the emulator accepts: its SID, auth token and friendly name."""

    sid: str
    token: str
    name: str

    def __repr__(self) -> str:
        # The token never shows, even in a debugger or a traceback.
        return f"Account(sid={self.sid!r}, name={self.name!r})"


def default_name(index: int) -> str:
    """The friendly name of the `index`-th account (from 1) when none was given."""
    return f"Emulator account {index}"


def to_accounts(given: list[tuple[str, str]] | list[tuple[str, str, str]] | list[Any]) -> list[Account]:
    """Accounts from (sid, token) or (sid, token, name) tuples; a missing or empty name gets a default."""
    accounts = []
    for index, entry in enumerate(given, start=1):
        sid, token, *rest = entry
        name = rest[0] if rest and rest[0] else default_name(index)
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"account name longer than {MAX_NAME_LENGTH} characters: {name[:20]}…")
        accounts.append(Account(str(sid), str(token), str(name)))
    return accounts


def account_path_sid(path: str) -> str | None:
    """The SID in `/2010-04-01/Accounts/{Sid}.json`, or None when `path` is another path."""
    found = _ACCOUNT_PATH.match(path)
    return found.group("sid") if found else None


def rfc2822(timestamp: float) -> str:
    """`Thu, 30 Jul 2015 20:00:00 +0000`: the 2010-04-01 API's date format (unlike Verify's ISO 8601)."""
    return format_datetime(datetime.fromtimestamp(int(timestamp), tz=timezone.utc))


# The key types beside Standard (`--api-key KEY_SID:SECRET:ACCOUNT_SID[:read-only|:main]`): a read-only key
# stands for a Restricted key with read permissions only; a Main key (made in the Console) may also read
# the Accounts resource, which Standard and Restricted keys are refused (401 / 20003).
READ_ONLY = "read-only"
MAIN = "main"
KEY_TYPES = (READ_ONLY, MAIN)


def keys_of_type(api_keys: Sequence[tuple[str, ...]], key_type: str) -> frozenset[str]:
    """The SIDs of the (key SID, secret, account SID[, type]) keys of `key_type` (READ_ONLY or MAIN)."""
    found = set()
    for key in api_keys:
        if len(key) not in (3, 4) or (len(key) == 4 and key[3] not in KEY_TYPES):
            raise ValueError(f"an API key is (key SID, secret, account SID[, {READ_ONLY!r} or {MAIN!r}])")
        if len(key) == 4 and key[3] == key_type:
            found.add(key[0])
    return frozenset(found)
