"""The account a command talks to: a real one from --api-url and credentials, or the embedded emulator."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from verifyctl.cli.output import progress, setup_logging
from verifyctl.client import Credentials, VerifyClient, credentials_from_env, resolve_base_url
from verifyctl.client.base_url import accounts_base_url
from verifyctl.emulator import LOCAL_DB_PATH, EmulatorServer

LOCAL_DB = Path(LOCAL_DB_PATH)
LOCAL_API_URL = "local"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccountOptions:
    api_url: str | None
    local: bool
    stats: bool
    no_color: bool
    verbose: int


def account_options(func: F) -> F:
    """The options of every command that talks to an account."""
    decorators = [
        click.option("--api-url", metavar="URL", help="Verify API base URL [env VERIFYCTL_API_URL]."),
        click.option(
            "--local",
            is_flag=True,
            help="Use the embedded emulator (state in .verifyctl/local.sqlite3) [env VERIFYCTL_LOCAL=1].",
        ),
        click.option("--stats", is_flag=True, help="Print a request tally on stderr at the end."),
        click.option("--no-color", is_flag=True, help="Never colour the output (also NO_COLOR)."),
        click.option("-v", "--verbose", count=True, help="Log more on stderr (-vv for every request)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def options_from(kwargs: dict[str, Any]) -> AccountOptions:
    """Take the account options out of a command's keyword arguments."""
    return AccountOptions(
        api_url=kwargs.pop("api_url"),
        local=kwargs.pop("local"),
        stats=kwargs.pop("stats"),
        no_color=kwargs.pop("no_color"),
        verbose=kwargs.pop("verbose"),
    )


@dataclass(frozen=True)
class Account:
    client: VerifyClient
    account_sid: str
    # What plans record as their target: the base URL, or "local" for the embedded emulator.
    api_url: str
    # A client of the host that serves the account resource (api.twilio.com beside verify.twilio.com).
    accounts: VerifyClient
    emulator: EmulatorServer | None = None


def wants_local(options: AccountOptions) -> bool:
    return options.local or os.environ.get("VERIFYCTL_LOCAL", "").strip().lower() in ("1", "true", "yes")


@contextmanager
def open_account(options: AccountOptions, parallelism: int = 10) -> Iterator[Account]:
    """Connect to the target account for the length of a command; print the tally with --stats."""
    setup_logging(options.verbose)
    if wants_local(options):
        LOCAL_DB.parent.mkdir(parents=True, exist_ok=True)
        with EmulatorServer(host="127.0.0.1", port=0, db_path=LOCAL_DB) as server:
            account_sid, token = server.accounts[0]
            credentials = Credentials(username=account_sid, secret=token, account_sid=account_sid)
            with (
                VerifyClient(server.base_url, credentials, parallelism=parallelism) as client,
                VerifyClient(server.base_url, credentials, parallelism=1) as accounts,
            ):
                try:
                    yield Account(client, account_sid, LOCAL_API_URL, accounts, server)
                finally:
                    _print_stats(options, client)
        return
    base_url = resolve_base_url(options.api_url or os.environ.get("VERIFYCTL_API_URL"))
    credentials = credentials_from_env(os.environ)
    with (
        VerifyClient(base_url, credentials, parallelism=parallelism) as client,
        VerifyClient(accounts_base_url(base_url), credentials, parallelism=1) as accounts,
    ):
        try:
            yield Account(client, credentials.account_sid, base_url, accounts)
        finally:
            _print_stats(options, client)


def _print_stats(options: AccountOptions, client: VerifyClient) -> None:
    if options.stats:
        progress(f"Requests: {client.stats.summary()}")
