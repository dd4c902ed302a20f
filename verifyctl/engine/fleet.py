"""A fleet's members: the parent's subaccounts listed, selected, named, sharded, with their credentials."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from verifyctl.client import Credentials
from verifyctl.config.models import EnvironmentConfig
from verifyctl.engine.fleet_basics import Member, Shard
from verifyctl.errors import UsageError, VerifyctlError
from verifyctl.plan.saved import printable

ACCOUNTS_LIST_PATH = "/2010-04-01/Accounts.json"
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
# Statuses a member may have; a closed subaccount can never be one.
CLOSED = "closed"
# Token fetches of members whose list entry lacks one run at most this many at once (the parent's own
# account answers them; its concurrency cap is its own).
TOKEN_FETCHES = 8


class AccountsClient(Protocol):
    """What of VerifyClient the resolution uses: the parent's Accounts API."""

    def list(
        self, path: str, list_key: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]: ...
    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Skipped:
    """A subaccount the fleet's select matches that is not planned, and why (`closed`, `suspended`)."""

    name: str
    sid: str
    reason: str


@dataclass(frozen=True)
class Roster:
    """Every subaccount the fleet's select matches by friendly name: its members and the skipped ones."""

    members: tuple[Member, ...]
    skipped: tuple[Skipped, ...]

    def known(self, key: str) -> list[Member | Skipped]:
        """Members and skipped subaccounts this key (a member name, friendly name or SID) names."""
        everyone: list[Member | Skipped] = [*self.members, *self.skipped]
        by_sid = [m for m in everyone if m.sid.upper() == key.upper()]
        if by_sid:
            return by_sid
        return [m for m in everyone if m.name == key or _friendly(m) == key]


def _friendly(entry: Member | Skipped) -> str:
    return entry.friendly_name if isinstance(entry, Member) else entry.name


def list_roster(client: AccountsClient, parent_sid: str, environment: EnvironmentConfig) -> Roster:
    """The parent's subaccounts whose friendly name the glob matches, as members or skipped ones.

    All of the parent's accounts are listed (paged) without a Status filter, so that a closed or
    otherwise unselected subaccount can be listed as skipped; a glob without wildcards is sent as
    Twilio's exact `FriendlyName` filter. The parent itself is never a member.
    """
    select = environment.select
    glob = select.friendly_name if select is not None else "*"
    wanted = select.status if select is not None else "active"
    params = {} if any(c in glob for c in "*?[") else {"FriendlyName": glob}
    entries = client.list(ACCOUNTS_LIST_PATH, "accounts", params)
    matched: list[dict[str, Any]] = []
    for entry in entries:
        sid, name = entry.get("sid"), entry.get("friendly_name")
        if not isinstance(sid, str) or not _ACCOUNT_SID.match(sid) or sid.upper() == parent_sid.upper():
            continue
        owner = entry.get("owner_account_sid")
        if isinstance(owner, str) and owner.upper() != parent_sid.upper():
            continue  # not a subaccount of this parent
        if isinstance(name, str) and fnmatch.fnmatchcase(name, glob):
            matched.append(entry)
    counts: dict[str, int] = {}
    for entry in matched:
        counts[entry["friendly_name"]] = counts.get(entry["friendly_name"], 0) + 1
    members: list[Member] = []
    skipped: list[Skipped] = []
    for entry in matched:
        sid, friendly = entry["sid"], entry["friendly_name"]
        # A friendly name two subaccounts share names neither: each is named by its SID; so is one that
        # could not stay on its line in a table or a log (control characters, edge spaces, empty).
        plain = bool(friendly) and friendly.isprintable() and friendly.strip() == friendly
        name = friendly if counts[friendly] == 1 and plain else sid
        status = entry.get("status") if isinstance(entry.get("status"), str) else "unknown"
        if status == CLOSED or (wanted != "any" and status != wanted):
            skipped.append(Skipped(name, sid, str(status)))
            continue
        token = entry.get("auth_token")
        credentials = Credentials(sid, token, sid) if isinstance(token, str) and token else None
        members.append(Member(name, sid, str(status), friendly, credentials))
    members.sort(key=lambda m: (m.name, m.sid))
    skipped.sort(key=lambda s: (s.name, s.sid))
    return Roster(tuple(members), tuple(skipped))


def choose(
    roster: Roster, fleet: str, member: str | None, shard: Shard | None
) -> tuple[list[Member], list[Skipped]]:
    """The members a run works on (`--env FLEET/MEMBER`, `--shard K/N`) and the skipped ones it lists."""
    members, skipped = list(roster.members), list(roster.skipped)
    if member is not None:
        found = roster.known(member)
        if not found:
            raise UsageError(_unknown_member(roster, fleet, member))
        if len(found) > 1:
            sids = ", ".join(m.sid for m in found)
            raise UsageError(
                f"--env {fleet}/{printable(member)}: {len(found)} subaccounts share that friendly name"
                f" ({sids}); name one by its SID: --env {fleet}/AC…"
            )
        one = found[0]
        if isinstance(one, Skipped):
            raise UsageError(
                f"--env {fleet}/{printable(member)}: subaccount {one.sid} is {one.reason}; the fleet"
                " skips it (select.status chooses the members)"
            )
        members, skipped = [one], []
    if shard is not None:
        members = [m for m in members if shard.holds(m.sid)]
        skipped = [s for s in skipped if shard.holds(s.sid)]
    return members, skipped


def _unknown_member(roster: Roster, fleet: str, member: str) -> str:
    shown = _some([m.name for m in roster.members])
    return (
        f"--env {fleet}/{printable(member)}: no member of fleet {fleet} has that friendly name or SID"
        f" (members: {shown or 'none'}); `verifyctl plan --env {fleet}` lists every member"
    )


def _some(names: Sequence[str]) -> str:
    """Up to ten names, printable, and how many more."""
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(printable(n) for n in names[:10]) + more


def check_member_vars(
    member_vars: Mapping[str, Mapping[str, str]], roster: Roster, fleet: str, file: str
) -> None:
    """Every key of the member_vars file names one subaccount the fleet selects (or skips): a typo would
    silently drop a tenant's values, so it is an error that names the key, as Terraform's are."""
    unknown = [key for key in member_vars if not roster.known(key)]
    if unknown:
        keys = _some(unknown)
        raise VerifyctlError(
            f"{printable(file)}: {keys}: no subaccount of fleet {fleet} has that friendly name or SID"
            " (a member is named by its subaccount's friendly name or SID)"
        )
    shared = [key for key in member_vars if len(roster.known(key)) > 1]
    if shared:
        sids = ", ".join(m.sid for m in roster.known(shared[0]))
        raise VerifyctlError(
            f"{printable(file)}: {printable(shared[0])}: several subaccounts share that friendly name"
            f" ({sids}); key their variables by SID"
        )


def own_vars(member: Member, member_vars: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The member's variables of the member_vars file: under its friendly name, then its SID (which wins)."""
    values: dict[str, str] = {}
    for key, own in member_vars.items():
        if key == member.friendly_name or key == member.name:
            values.update(own)
    for key, own in member_vars.items():
        if key.upper() == member.sid.upper():
            values.update(own)
    return {**values, "MEMBER_NAME": member.friendly_name, "MEMBER_SID": member.sid}


def with_credentials(client: AccountsClient, members: Sequence[Member]) -> list[Member]:
    """The members, each with its auth token: from its list entry, else fetched from
    `GET /2010-04-01/Accounts/{Sid}.json` with the parent's credentials, concurrently."""
    missing = [m for m in members if m.credentials is None]
    if not missing:
        return list(members)

    def fetch(member: Member) -> Member:
        account = client.get(f"/2010-04-01/Accounts/{member.sid}.json")
        token = account.get("auth_token")
        if not isinstance(token, str) or not token:
            raise VerifyctlError(
                f"the parent's Accounts API gave no auth token for subaccount {member.name} ({member.sid}):"
                " its credentials must be able to read its subaccounts"
            )
        credentials = Credentials(member.sid, token, member.sid)
        return Member(member.name, member.sid, member.status, member.friendly_name, credentials)

    workers = min(TOKEN_FETCHES, len(missing))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verifyctl-members") as pool:
        fetched = dict(zip((m.sid for m in missing), pool.map(fetch, missing), strict=True))
    return [fetched.get(m.sid, m) for m in members]


def member_names(members: Iterable[Member]) -> list[str]:
    return [m.name for m in members]
