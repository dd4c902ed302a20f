"""Which account a run talks to, as a plain value, and opening it: a real API or the embedded emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from verifyctl.client import Credentials, SharedConnections, VerifyClient, resolve_base_url
from verifyctl.client.base_url import accounts_base_url
from verifyctl.client.pace import Rate
from verifyctl.emulator import LOCAL_DB_PATH
from verifyctl.errors import VerifyctlError
from verifyctl.resources.kinds import KINDS

if TYPE_CHECKING:
    from verifyctl.emulator import EmulatorServer

LOCAL_DB = Path(LOCAL_DB_PATH)
# What plans made against the embedded emulator record as their API URL: its port changes every run.
LOCAL_API_URL = "local"
# The request rates the API documents, by the path of the kind they cover.
RATES = tuple(Rate(k.collection_path, k.pace.limit, k.pace.window) for k in KINDS.values() if k.pace)


@dataclass(frozen=True)
class AccountSpec:
    """Where the account is: the embedded emulator (`local`), or an API URL with credentials."""

    api_url: str | None = None
    credentials: Credentials | None = None
    local: bool = False
    # A named environment: its account is checked to be the credentials' own before anything else.
    environment: str | None = None
    # The variables its credentials came from, for messages (names only, never values).
    credential_names: str = ""
    # Hosts the user trusts by name with plain http (--allow-http-host), lower-case.
    allow_http_hosts: tuple[str, ...] = ()
    # A fleet member: its friendly name as its parent's Accounts API gave it, with the credentials (so
    # the account is proven and named: neither is read again).
    member_name: str | None = None

    def __repr__(self) -> str:
        # Credentials hold a secret; their own repr hides it, and this one names only the account.
        account = self.credentials.account_sid if self.credentials else None
        return (
            f"AccountSpec(api_url={self.api_url!r}, account={account!r}, local={self.local},"
            f" environment={self.environment!r})"
        )


@dataclass(frozen=True)
class Connection:
    """An open account: the Verify client, a client of the account resource's host, and where it is."""

    client: VerifyClient
    accounts: VerifyClient
    account_sid: str
    api_url: str
    emulator: EmulatorServer | None = None


@contextmanager
def connect(
    spec: AccountSpec,
    parallelism: int,
    *,
    adaptive: bool = True,
    budget: threading.Semaphore | None = None,
    connections: SharedConnections | None = None,
) -> Iterator[Connection]:
    """Open the account for the length of a run; the embedded emulator keeps its state in LOCAL_DB."""
    if spec.local:
        # Imported here: a run against a real API needs neither the emulator nor SQLite.
        import sqlite3

        from verifyctl.emulator import EmulatorServer, StoreBusyError

        LOCAL_DB.parent.mkdir(parents=True, exist_ok=True)
        try:
            embedded = EmulatorServer(host="127.0.0.1", port=0, db_path=LOCAL_DB)
        except StoreBusyError:
            # The embedded emulator is its state's only writer, which spares apply the waits for racers.
            raise VerifyctlError(
                f"{LOCAL_DB} is in use by another command in this directory (a --local run, or an emulator"
                " serving it): run one at a time"
            ) from None
        except (OSError, sqlite3.Error) as exc:
            raise VerifyctlError(f"cannot use {LOCAL_DB} as the local emulator's state: {exc}") from None
        with embedded as server:
            account_sid, token = server.accounts[0]
            credentials = Credentials(username=account_sid, secret=token, account_sid=account_sid)
            with (
                VerifyClient(
                    server.base_url, credentials, parallelism=parallelism, adaptive=adaptive, rates=RATES
                ) as client,
                VerifyClient(server.base_url, credentials, parallelism=1) as accounts,
            ):
                yield Connection(client, accounts, account_sid, LOCAL_API_URL, server)
        return
    if spec.credentials is None:
        raise ValueError("an account that is not local needs credentials")
    allowed = spec.allow_http_hosts
    base_url = resolve_base_url(spec.api_url, allowed)
    # Hints name the variables the credentials came from: an environment's own, or TWILIO_*.
    names = spec.credential_names
    with (
        VerifyClient(
            base_url,
            spec.credentials,
            parallelism=parallelism,
            adaptive=adaptive,
            allow_http_hosts=allowed,
            credential_names=names,
            rates=RATES,
            budget=budget,
            connections=connections,
        ) as client,
        VerifyClient(
            accounts_base_url(base_url),
            spec.credentials,
            parallelism=1,
            allow_http_hosts=allowed,
            credential_names=names,
            # A fleet member's: shared too when the account resource is on the same host (an emulator).
            connections=connections,
        ) as accounts,
    ):
        yield Connection(client, accounts, spec.credentials.account_sid, base_url)
