"""Options shared by commands (account, --target, --parallelism), each with its environment variable."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from verifyctl.cli.output import progress, setup_logging
from verifyctl.client import credentials_from_env
from verifyctl.engine import AccountSpec, Engine
from verifyctl.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_PARALLELISM = 10

target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Limit to this object and its children, e.g. 'service[Acme Login]' (repeatable).",
)
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    envvar="VERIFYCTL_PARALLELISM",
    help="Concurrent API requests [env VERIFYCTL_PARALLELISM].",
)


color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output: auto is on a terminal only, never with NO_COLOR or TERM=dumb.",
)
log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="VERIFYCTL_LOG_FORMAT",
    help="Logs on stderr as text, or one JSON object a line for CI [env VERIFYCTL_LOG_FORMAT].",
)


@dataclass(frozen=True)
class AccountOptions:
    """The options of every command that talks to an account."""

    api_url: str | None
    local: bool
    stats: bool
    no_color: bool
    verbose: int
    color: str = "auto"  # auto | always | never (--no-color is "never")
    log_format: str = "text"  # text | json


_ACCOUNT_OPTION_NAMES = ("api_url", "local", "stats", "no_color", "verbose", "color", "log_format")


def account_options(func: F) -> F:
    """Add the account options; the command receives them as one `account: AccountOptions` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _ACCOUNT_OPTION_NAMES}
        if values["local"] and values["api_url"] is not None:
            source = click.get_current_context().get_parameter_source("api_url")
            if source is ParameterSource.COMMANDLINE:
                raise UsageError("--local uses the embedded emulator; it takes no --api-url")
            values["api_url"] = None  # VERIFYCTL_API_URL in the environment gives way to --local
        if values["no_color"]:
            values["color"] = "never"
        values["no_color"] = values["color"] == "never"
        return func(*args, account=AccountOptions(**values), **kwargs)

    decorators = [
        click.option(
            "--api-url",
            metavar="URL",
            envvar="VERIFYCTL_API_URL",
            help="Verify API base URL [env VERIFYCTL_API_URL].",
        ),
        click.option(
            "--local",
            is_flag=True,
            envvar="VERIFYCTL_LOCAL",
            help="Use the embedded emulator (state in .verifyctl/local.sqlite3) [env VERIFYCTL_LOCAL=1].",
        ),
        click.option("--stats", is_flag=True, help="Print a request tally on stderr at the end."),
        color_option,
        click.option("--no-color", is_flag=True, help="Never colour the output (as --color never)."),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="Log a line per request on stderr (method, path, status, ms); -vv adds bodies.",
        ),
        log_format_option,
    ]
    command: Any = wrapper
    for decorator in reversed(decorators):
        command = decorator(command)
    return command  # type: ignore[no-any-return]


def account_spec(options: AccountOptions) -> AccountSpec:
    """Where the account is; credentials come from the TWILIO_* variables unless it is local."""
    if options.local:
        return AccountSpec(local=True)
    return AccountSpec(api_url=options.api_url, credentials=credentials_from_env(os.environ))


@contextmanager
def open_engine(options: AccountOptions, parallelism: int = DEFAULT_PARALLELISM) -> Iterator[Engine]:
    """The engine of the account the options name, for the length of a command; --stats at the end."""
    setup_logging(options.verbose, options.log_format)
    with Engine.open(account_spec(options), parallelism=parallelism) as engine:
        try:
            yield engine
        finally:
            if options.stats:
                progress(f"Requests: {engine.stats.summary()}")
