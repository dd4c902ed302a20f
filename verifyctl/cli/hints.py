"""The CLI half of the failure-hint catalogue: causes only the command line can tell, keyed by cause."""

from __future__ import annotations

import enum
import errno
import re
from collections.abc import Callable, Sequence

from verifyctl.errors import ApiError, VerifyctlError


class Cause(enum.Enum):
    """Why a command failed, where the fix is a different flag or value on the command line."""

    PORT_IN_USE = "emulator serve: the port is taken"
    NOT_E164 = "verify send/check: --to is a phone number without its +country code"
    NO_EMULATOR = "emulator messages: nothing answers at the emulator's URL"
    REFUSED_ARGUMENT = "verify send/check: the API refused a value given on the command line"


# The one place the wording lives; `{...}` are filled in by the cause's detector.
HINTS: dict[Cause, str] = {
    Cause.PORT_IN_USE: "try --port 0 (any free port), or stop what listens on port {port}",
    Cause.NOT_E164: "--to takes an E.164 number with its country code: try --to {e164}",
    Cause.NO_EMULATOR: (
        "start one with `{serve}`, point --api-url at a running one, or read the embedded one with --local"
    ),
    Cause.REFUSED_ARGUMENT: "the API refused {flags}: fix {it} on the command line",
}

# The API's parameter each option of `verify send/check` sends, to name the option it refused.
ARGUMENT_PARAMETERS = {
    "To": "--to",
    "Channel": "--channel",
    "Code": "--code",
    "Amount": "--amount",
    "Payee": "--payee",
    "CustomCode": "--custom-code",
    "Locale": "--locale",
    "RateLimits": "--rate-limit",
}

Detector = Callable[[VerifyctlError, Sequence[str]], "dict[str, str] | None"]


def _command(argv: Sequence[str]) -> tuple[str, ...]:
    """The command words of `argv` (`verify send`), options and their values left out."""
    words = [arg for arg in argv if not arg.startswith("-")]
    return tuple(words[:2])


def _option(argv: Sequence[str], name: str) -> str | None:
    """The last value given to option `name` (`--to X` or `--to=X`)."""
    value = None
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _port_in_use(error: VerifyctlError, argv: Sequence[str]) -> dict[str, str] | None:
    # `raise … from None` hides the OSError from tracebacks but keeps it as the context.
    cause = error.__context__
    if _command(argv)[:2] != ("emulator", "serve") or not isinstance(cause, OSError):
        return None
    if cause.errno != errno.EADDRINUSE:
        return None
    return {"port": _option(argv, "--port") or "8765"}


def _not_e164(error: VerifyctlError, argv: Sequence[str]) -> dict[str, str] | None:
    to = _option(argv, "--to")
    if _command(argv)[0:1] != ("verify",) or to is None or to.startswith("+") or "@" in to:
        return None
    if not isinstance(error, ApiError) or error.status != 400 or "To" not in error.api_message:
        return None
    digits = re.sub(r"\D", "", to)
    # Ten digits is how North American numbers are written at home; their country code is 1.
    return {"e164": f"+1{digits}" if len(digits) == 10 else f"+{digits}"}


def _no_emulator(error: VerifyctlError, argv: Sequence[str]) -> dict[str, str] | None:
    if _command(argv) != ("emulator", "messages") or not str(error).startswith("cannot reach"):
        return None
    # Imported here: this module is loaded on every run, the client's hints (and requests) only now.
    from verifyctl.client.hints import serve_command

    url = str(error).removeprefix("cannot reach the emulator at ").split(": ", 1)[0]
    return {"serve": serve_command(url)}


def _refused_argument(error: VerifyctlError, argv: Sequence[str]) -> dict[str, str] | None:
    # A 400 to `verify send/check` is about what the command line sent: no configuration is written.
    if _command(argv)[0:1] != ("verify",) or not isinstance(error, ApiError) or error.status != 400:
        return None
    named = [
        flag for name, flag in ARGUMENT_PARAMETERS.items() if re.search(rf"\b{name}\b", error.api_message)
    ]
    if not named:
        return {"flags": "a value of this command's options", "it": "it"}
    flags = " and ".join(named)
    return {"flags": flags, "it": "it" if len(named) == 1 else "them"}


DETECTORS: dict[Cause, Detector] = {
    Cause.PORT_IN_USE: _port_in_use,
    Cause.NOT_E164: _not_e164,
    Cause.NO_EMULATOR: _no_emulator,
    Cause.REFUSED_ARGUMENT: _refused_argument,
}


def _without_client_hint(error: VerifyctlError) -> str:
    """The message as the API gave it: a CLI hint replaces the client's generic one, not adds to it."""
    if isinstance(error, ApiError):
        detail = f"Twilio error {error.code}" if error.code is not None else f"HTTP {error.status}"
        if error.more_info:
            detail = f"{detail}: {error.more_info}"
        return f"{error.api_message} ({detail})"
    return error.message


def with_cli_hint(error: VerifyctlError, argv: Sequence[str]) -> str:
    """The one-line message of `error`, with the catalogue's next step when the command line shows one."""
    for cause, detect in DETECTORS.items():
        found = detect(error, argv)
        if found is not None:
            return f"{_without_client_hint(error)}; {HINTS[cause].format(**found)}"
    return str(error)
