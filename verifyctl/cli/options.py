"""Options shared by commands (account, --target, --parallelism), each with its environment variable."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from verifyctl.cli.environment import Target, environment_options, one_target
from verifyctl.cli.output import progress, setup_logging
from verifyctl.cli.trusted_hosts import allow_http_host_option, trusted_http_hosts
from verifyctl.client import credentials_from_env
from verifyctl.engine import AccountSpec, Engine
from verifyctl.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

# The ceiling of the adaptive limit: high enough that the account, not verifyctl, sets the pace (10
# was 5.6x slower than 64 for 2,000 services at 100 ms); the limit stays under an account's cap.
DEFAULT_PARALLELISM = 64
MAX_PARALLELISM = 256

target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Limit to this object and its children, e.g. 'service[Acme Login]' (repeatable).",
)


@dataclass(frozen=True)
class Parallelism:
    """How many requests may be in flight: an adaptive limit up to `ceiling`, or `ceiling` fixed."""

    ceiling: int = DEFAULT_PARALLELISM
    adaptive: bool = True


def parallelism_option(func: F) -> F:
    """Add --parallelism and --fixed-parallelism; the command receives one `parallelism: Parallelism`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fixed = kwargs.pop("fixed_parallelism")
        return func(*args, **{**kwargs, "parallelism": Parallelism(kwargs["parallelism"], not fixed)})

    command: Any = click.option(
        "--fixed-parallelism",
        is_flag=True,
        envvar="VERIFYCTL_FIXED_PARALLELISM",
        help="Keep the limit at --parallelism from the start, never adapting (for accounts known "
        "not to cap concurrency) [env VERIFYCTL_FIXED_PARALLELISM=1].",
    )(wrapper)
    command = click.option(
        "--parallelism",
        type=click.IntRange(1, MAX_PARALLELISM),
        default=DEFAULT_PARALLELISM,
        show_default=True,
        envvar="VERIFYCTL_PARALLELISM",
        metavar="N",
        help="Most API requests in flight at once: the ceiling of a limit that starts low, grows while "
        "requests succeed and backs off when the account answers 429 [env VERIFYCTL_PARALLELISM].",
    )(command)
    return command  # type: ignore[no-any-return]


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
    # Named environments: --env NAME|all, --var KEY=VALUE..., --var-file FILE... (see cli/environment.py).
    env: str | None = None
    vars: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    # Hosts trusted by name with plain http (--allow-http-host, VERIFYCTL_ALLOW_HTTP_HOSTS), lower-case.
    allow_http_hosts: tuple[str, ...] = ()
    allow_outside_links: bool = False


_ACCOUNT_OPTION_NAMES = (
    "api_url",
    "local",
    "stats",
    "no_color",
    "verbose",
    "color",
    "log_format",
    "env",
    "vars",
    "var_files",
    "allow_outside_links",
)


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
        values["allow_http_hosts"] = trusted_http_hosts(kwargs.pop("allow_http_hosts"), os.environ)
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
        allow_http_host_option,
        *environment_options,
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
def open_engine(
    options: AccountOptions, parallelism: Parallelism = Parallelism(), target: Target | None = None
) -> Iterator[Engine]:
    """The engine of the account the options (or the environment `target`) name; --stats at the end.

    Without a target, --env reads the environments of the default file (commands that take no PATH).
    """
    setup_logging(options.verbose, options.log_format)
    if target is None:
        target = one_target(options, ())
    if target.problem is not None:
        raise target.problem  # never the TWILIO_* account in its place
    spec = target.spec if target.spec is not None else account_spec(options)
    if not spec.local:
        spec = replace(spec, allow_http_hosts=options.allow_http_hosts)
    with Engine.open(spec, parallelism=parallelism.ceiling, adaptive=parallelism.adaptive) as engine:
        if engine.owner_unproven:
            progress(engine.owner_unproven)
        try:
            yield engine
        finally:
            if options.stats:
                progress(f"Requests: {engine.stats.summary()}")


def planning_options(func: F) -> F:
    """The options of the commands that plan (plan and apply): --target, --parallelism, the account's."""
    return target_option(parallelism_option(account_options(func)))
