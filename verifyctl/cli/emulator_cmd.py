"""`verifyctl emulator serve|messages`: run the local Verify v2 emulator and read the messages it recorded."""

from __future__ import annotations

import base64
import os
import re
import shlex
import signal
import sqlite3
import time
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from verifyctl.cli.help_text import epilog, exit_codes
from verifyctl.cli.output import plural
from verifyctl.cli.trusted_hosts import allow_http_host_option, trusted_http_hosts
from verifyctl.client.base_url import ALLOW_HTTP_HOSTS_ENV, is_loopback_host, resolve_base_url
from verifyctl.client.credentials import ACCOUNT_SID, API_KEY, API_SECRET, AUTH_TOKEN, credentials_from_env
from verifyctl.client.emulator_control import fetch_messages
from verifyctl.emulator import LOCAL_DB_PATH, EmulatorServer, messages_in_database
from verifyctl.emulator.accounts import KEY_TYPES, MAIN, MAX_NAME_LENGTH, READ_ONLY, default_name
from verifyctl.emulator.app import DEFAULT_REQUEST_LOG_SIZE
from verifyctl.emulator.directory import DEFAULT_MAX_SUBACCOUNTS, tenant_names
from verifyctl.emulator.limits import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEAD_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
)
from verifyctl.errors import UsageError, VerifyctlError

DEFAULT_EMULATOR_URL = "http://127.0.0.1:8765"
ADMIN_TOKEN_ENV = "VERIFYCTL_EMULATOR_ADMIN_TOKEN"
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_KEY_SID = re.compile(r"^SK[0-9a-fA-F]{32}$")


def _parse_accounts(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    accounts = []
    for index, value in enumerate(values, start=1):
        # The name comes last and may itself hold colons ("Acme: production").
        sid, _, rest = value.partition(":")
        token, _, name = rest.partition(":")
        if not _ACCOUNT_SID.match(sid) or not token:
            raise click.BadParameter(
                "expected SID:TOKEN or SID:TOKEN:NAME with SID = AC and 32 hex digits", ctx, param
            )
        name = name.strip() or default_name(index)
        if len(name) > MAX_NAME_LENGTH:
            raise click.BadParameter(
                f"the account name is longer than {MAX_NAME_LENGTH} characters", ctx, param
            )
        accounts.append((sid, token, name))
    return accounts


def _parse_api_keys(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, ...]]:
    keys = []
    for value in values:
        parts = value.split(":")
        if (
            len(parts) not in (3, 4)
            or not _KEY_SID.match(parts[0])
            or not parts[1]
            or not _ACCOUNT_SID.match(parts[2])
            or (len(parts) == 4 and parts[3] not in KEY_TYPES)
        ):
            raise click.BadParameter(
                f"expected KEY_SID:SECRET:ACCOUNT_SID[:{READ_ONLY}|:{MAIN}]"
                " (SK and AC SIDs with 32 hex digits)",
                ctx,
                param,
            )
        keys.append(tuple(parts))
    return keys


@click.group("emulator")
def emulator_group() -> None:
    """Run the local Verify v2 emulator and read the messages it would have sent."""


_RATE = click.FloatRange(0.0, 1.0)


@emulator_group.command(
    "serve",
    epilog=epilog(
        f"\b\nEnvironment:\n  {ADMIN_TOKEN_ENV}   the admin token (as --admin-token)",
        exit_codes("  0   stopped by Ctrl-C or SIGTERM"),
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port."
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The URL clients reach the emulator at, used for every link in its answers"
    " (default http://HOST:PORT; this machine's name when HOST is 0.0.0.0 or ::).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps the state across restarts (in memory without).",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="SID:TOKEN[:NAME]",
    callback=_parse_accounts,
    help="An account to accept, with its friendly name (repeatable); without one, a development account"
    " is generated.",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    metavar="KEY_SID:SECRET:ACCOUNT_SID[:read-only|:main]",
    callback=_parse_api_keys,
    help="An API key to accept for an account (repeatable): a Standard key, refused the Accounts resource"
    " (401 / 20003) as Twilio refuses it; a read-only one (a Restricted key) is also refused every write"
    " (403 / 70051); a main one (a Main key) reads the Accounts resource as an auth token does.",
)
@click.option("--latency-ms", default=0.0, type=click.FloatRange(min=0), help="Delay before every answer.")
@click.option("--error-rate", default=0.0, type=_RATE, help="Share of requests answered 500.")
@click.option("--throttle-rate", default=0.0, type=_RATE, help="Share of requests answered 429.")
@click.option("--drop-rate", default=0.0, type=_RATE, help="Share of writes done but never answered.")
@click.option("--seed", type=int, help="Seed that makes the injected faults reproducible.")
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    help="Requests in flight per account beyond which the emulator answers 429 / 20429 (no cap without).",
)
@click.option(
    "--concurrency-retry-after",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Retry-After of a request refused by --max-concurrency (no header without).",
)
@click.option(
    "--subaccounts",
    "subaccount_count",
    default=0,
    type=click.IntRange(min=0),
    metavar="N",
    help="Subaccounts tenant-001 … tenant-N of the first account, made at start (kept ones reused with"
    " --db).",
)
@click.option(
    "--max-subaccounts",
    default=DEFAULT_MAX_SUBACCOUNTS,
    show_default=True,
    type=click.IntRange(min=0),
    help="Subaccounts (not closed) a main account may have; one more is answered 400 / 21480.",
)
@click.option(
    "--max-family-services",
    type=click.IntRange(min=0),
    metavar="N",
    help="Services a main account and its subaccounts may hold together; one more is answered 400 / 21102"
    " (no cap without).",
)
@click.option(
    "--request-log-size",
    default=DEFAULT_REQUEST_LOG_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many of the latest requests GET /__emulator__/requests keeps.",
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(min=0),
    help="Largest request body accepted; a larger one is answered 413.",
)
@click.option(
    "--idle-timeout",
    default=DEFAULT_IDLE_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Close a connection that sends nothing for this long.",
)
@click.option(
    "--max-connections",
    default=DEFAULT_MAX_CONNECTIONS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Open connections beyond which a new one is answered 503 and closed.",
)
@click.option(
    "--request-timeout",
    default=DEFAULT_REQUEST_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Answer 408 and close a connection whose request (line, headers, body) takes longer to arrive.",
)
@click.option(
    "--max-head-bytes",
    default=DEFAULT_MAX_HEAD_BYTES,
    show_default=True,
    type=click.IntRange(min=1024),
    help="Largest request line and headers together; a larger head is answered 431.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A name to accept in the Host header besides localhost and IP addresses (repeatable), such as"
    " a compose service name; with --host 0.0.0.0, giving one makes every other name refused.",
)
@click.option(
    "--open-control",
    is_flag=True,
    help="Let anyone who reaches the emulator use /__emulator__/* without credentials (loopback only).",
)
@click.option(
    "--control-auth",
    is_flag=True,
    hidden=True,
    help="Credentials on /__emulator__/*: the default now, accepted so older scripts still run.",
)
@click.option(
    "--admin-token",
    envvar=ADMIN_TOKEN_ENV,
    metavar="TOKEN",
    help=f"Admin token for the control endpoints (env {ADMIN_TOKEN_ENV}; generated and printed when"
    " none is given).",
)
def serve(
    host: str,
    port: int,
    public_url: str | None,
    db: Path | None,
    accounts: list[tuple[str, str, str]],
    api_keys: list[tuple[str, ...]],
    latency_ms: float,
    error_rate: float,
    throttle_rate: float,
    drop_rate: float,
    seed: int | None,
    max_concurrency: int | None,
    concurrency_retry_after: int | None,
    subaccount_count: int,
    max_subaccounts: int,
    max_family_services: int | None,
    request_log_size: int,
    max_body_bytes: int,
    idle_timeout: float,
    max_connections: int,
    request_timeout: float,
    max_head_bytes: int,
    allowed_hosts: tuple[str, ...],
    open_control: bool,
    control_auth: bool,
    admin_token: str | None,
) -> None:
    """Serve the Verify v2 API on HOST:PORT until Ctrl-C."""
    if open_control and control_auth:
        raise click.UsageError("--open-control and --control-auth contradict each other")
    try:
        server = EmulatorServer(
            host=host,
            port=port,
            db_path=db,
            accounts=accounts or None,
            api_keys=api_keys or None,
            latency_ms=latency_ms,
            error_rate=error_rate,
            throttle_rate=throttle_rate,
            drop_rate=drop_rate,
            seed=seed,
            max_concurrency=max_concurrency,
            concurrency_retry_after=concurrency_retry_after,
            public_url=public_url,
            request_log_size=request_log_size,
            max_body_bytes=max_body_bytes,
            idle_timeout=idle_timeout,
            max_connections=max_connections,
            open_control=open_control,
            admin_token=admin_token,
            allowed_hosts=allowed_hosts,
            request_timeout=request_timeout,
            max_head_bytes=max_head_bytes,
            max_subaccounts=max_subaccounts,
            max_family_services=max_family_services,
        )
        if subaccount_count:
            try:
                server.seed_subaccounts(tenant_names(subaccount_count))
            except ValueError:
                server.stop()
                raise
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise VerifyctlError(f"cannot use {db} as the emulator database: {exc}") from None
    # Installed before the banner (which tells the user they may stop it now), and explicitly: a shell
    # starting `serve &` makes it ignore SIGINT, and Ctrl-C must still stop it.
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except OSError as exc:
            raise VerifyctlError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        _print_banner(
            server, db, generated=not accounts, api_keys=api_keys, admin_given=admin_token is not None
        )
        while True:
            # Short naps: the kernel may hand the signal to a server thread, and then only a main thread
            # that wakes up on its own gets to run the handler.
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.stop()
    click.echo("Emulator stopped.", err=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # SIGINT (Ctrl-C) and SIGTERM (docker stop, kill) both stop the emulator cleanly.
    raise KeyboardInterrupt


def _print_banner(
    server: EmulatorServer,
    db: Path | None,
    generated: bool,
    api_keys: list[tuple[str, ...]],
    admin_given: bool,
) -> None:
    if not server.is_loopback:
        _warn_off_loopback(server)
    click.echo(f"Verify emulator listening on {server.base_url}")
    if server.loopback_url != server.base_url:
        click.echo(
            f"  listening on {server.host or 'every interface'}; from this machine: {server.loopback_url}"
        )
    click.echo(f"Database: {db}" if db else "Database: in memory (the state ends with the emulator)")
    names = server.account_names
    for sid, token in server.accounts:
        # A generated development account's token is printed: the user needs it.
        shown = token if generated else "(as given)"
        click.echo(f"Account: {sid}  auth token: {shown}")
        # On a line of its own, so the line above keeps the shape scripts and the README show.
        click.echo(f"  friendly name: {names[sid]}")
        subaccounts = server.subaccounts(sid)
        if subaccounts:
            # Never their tokens: the account's credentials fetch them (GET /2010-04-01/Accounts/{Sid}.json).
            first, last = subaccounts[0][2], subaccounts[-1][2]
            span = first if len(subaccounts) == 1 else f"{first} … {last}"
            click.echo(f"  subaccounts: {len(subaccounts)} ({span})")
    if server.max_family_services is not None:
        cap = server.max_family_services
        click.echo(f"Max services per family (a main account and its subaccounts): {cap}")
    for key_sid, _, account_sid, *access in api_keys:
        # Its type, as Twilio names it: a Standard key, a read-only (Restricted) one, or a Main one.
        shown = f" ({access[0]})" if access else " (standard)"
        click.echo(f"API key: {key_sid} for account {account_sid}{shown}")
    if server.max_concurrency is not None:
        click.echo(f"Max concurrency: {plural(server.max_concurrency, 'request')} in flight per account")
    if server.control_auth:
        click.echo(
            "Control endpoints (/__emulator__/*) need credentials: an account's own (its messages and"
            " requests) or the admin token (everything, and the clock)."
        )
        click.echo(f"Admin token: {'(as given)' if admin_given else server.admin_token}")
    else:
        click.echo("Control endpoints (/__emulator__/*) need no credentials (--open-control).")
    sid, token = server.accounts[0]
    click.echo("Point verifyctl at it:")
    for line in export_lines(server.base_url, sid, token if generated else None):
        click.echo(f"  {line}")
    if server.control_auth and not admin_given:
        # `verifyctl emulator messages` reads it from there: every account's messages.
        click.echo(f"  export {ADMIN_TOKEN_ENV}={server.admin_token}")
    click.echo("Press Ctrl-C to stop.", err=True)


def export_lines(base_url: str, sid: str, token: str | None) -> list[str]:
    """The shell lines that point verifyctl at the emulator, working as printed.

    Plain http to a host other than loopback is refused unless the host is trusted by name, so the
    lines trust the banner's own host when its URL needs it.
    """
    lines = [f"export VERIFYCTL_API_URL={shlex.quote(base_url)}"]
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme == "http" and not is_loopback_host(host):
        lines.append(f"export {ALLOW_HTTP_HOSTS_ENV}={shlex.quote(host)}")
    lines.append(f"export TWILIO_ACCOUNT_SID={shlex.quote(sid)}")
    if token is not None:
        lines.append(f"export TWILIO_AUTH_TOKEN={shlex.quote(token)}")
    return lines


def _warn_off_loopback(server: EmulatorServer) -> None:
    # Loud and on stderr: a test tool reachable from the network hands out codes to whoever asks.
    where = server.host or "every interface"
    for line in (
        f"WARNING: the emulator listens on {where}, which other machines can reach.",
        "WARNING: it is a test tool, not a secure service: anyone who reaches it with the credentials",
        "WARNING: below can read that account's verification codes. Control endpoints need credentials.",
        "WARNING: Use --host 127.0.0.1 unless other machines must reach it.",
    ):
        click.secho(line, err=True, fg="red", bold=True)


@emulator_group.command(
    "messages",
    epilog=epilog(
        "\b\nEnvironment:\n  VERIFYCTL_API_URL, VERIFYCTL_LOCAL=1   as --api-url, --local\n"
        f"  {ADMIN_TOKEN_ENV}   as --admin-token\n"
        "  TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN   sent when no admin token is given",
        exit_codes("  0   listed (none is not an error)"),
    ),
)
@click.option("--to", help="Only messages sent to this phone number or e-mail address.")
@click.option(
    "--api-url",
    envvar="VERIFYCTL_API_URL",
    help=f"A running emulator (env VERIFYCTL_API_URL; default {DEFAULT_EMULATOR_URL}).",
)
@click.option(
    "--local",
    is_flag=True,
    envvar="VERIFYCTL_LOCAL",
    help=f"Read the embedded emulator's state in {LOCAL_DB_PATH}.",
)
@click.option(
    "--admin-token",
    envvar=ADMIN_TOKEN_ENV,
    metavar="TOKEN",
    help=f"The emulator's admin token: every account's messages (env {ADMIN_TOKEN_ENV}).",
)
@allow_http_host_option
def messages(
    to: str | None,
    api_url: str | None,
    local: bool,
    admin_token: str | None,
    allow_http_hosts: tuple[str, ...],
) -> None:
    """List the messages the emulator would have delivered, oldest first.

    A running emulator is sent the admin token when given, else the Twilio credentials of the
    environment when set: an emulator that requires them lists only that account's messages.
    """
    # VERIFYCTL_API_URL in the environment gives way to --local; on the command line both is a mistake.
    source = click.get_current_context().get_parameter_source("api_url")
    if local and api_url is not None and source is ParameterSource.COMMANDLINE:
        raise UsageError("--local reads the embedded emulator; it takes no --api-url")
    if local:
        found = _local_messages(to)
    else:
        # Credentials or the admin token go with the request: plain http only where plan would send them.
        url = resolve_base_url(
            api_url or DEFAULT_EMULATOR_URL, trusted_http_hosts(allow_http_hosts, os.environ)
        )
        found = fetch_messages(url, to, _control_auth(admin_token))
    if not found:
        click.echo("No messages.", err=True)
    for message in found:
        click.echo(f"{message['date_created']}  {message['channel']:<8} {message['to']}  {message['body']}")


def _local_messages(to: str | None) -> list[dict[str, Any]]:
    try:
        return messages_in_database(LOCAL_DB_PATH, to)
    except FileNotFoundError:
        raise VerifyctlError(
            f"no local emulator state in {LOCAL_DB_PATH} (run a command with --local in this directory first)"
        ) from None
    except ValueError as exc:
        raise VerifyctlError(str(exc)) from None


def _control_auth(admin_token: str | None) -> dict[str, str]:
    """The Authorization header for the control endpoints: admin token, else the environment's account."""
    if admin_token:
        return {"Authorization": f"Bearer {admin_token}"}
    if not any(os.environ.get(name) for name in (ACCOUNT_SID, AUTH_TOKEN, API_KEY, API_SECRET)):
        return {}
    credentials = credentials_from_env(os.environ)
    pair = f"{credentials.username}:{credentials.secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
