"""The closing sections of each command's --help: PATHS, environment variables and exit codes."""

from __future__ import annotations

# "\b" keeps click from re-wrapping the lines of the paragraph that follows it.
PATHS = """\b
PATHS: YAML files, or directories (every *.yaml/*.yml below them, sorted);
  default verifyctl.yaml in the current directory."""

ACCOUNT_ENV = """\b
Environment:
  TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN, or TWILIO_API_KEY + TWILIO_API_SECRET
                          credentials (not needed with --local)
  VERIFYCTL_API_URL       the API base URL (as --api-url)
  VERIFYCTL_LOCAL=1       the embedded emulator (as --local)
  VERIFYCTL_ENV           the named environment, or all (as --env)
  VERIFYCTL_LOG_FORMAT    text or json (as --log-format)
  VERIFYCTL_VAR_NAME      the value of ${NAME} in the files (as --var NAME=...)
  NO_COLOR                no colour (as --color never)"""

PARALLELISM_ENV = "  VERIFYCTL_PARALLELISM   concurrent requests (as --parallelism)"

OFFLINE_ENV = """\b
Environment: VERIFYCTL_VAR_NAME gives ${NAME} in the files; no other variable is read for them."""


def exit_codes(*lines: str, error: str = "error") -> str:
    """An `Exit codes:` section: the given lines, then 1 (`error`) and 64 (usage error), which all share."""
    return "\n".join(
        ["\b", "Exit codes:", *lines, f"  1   {error}", "  64  usage error (a bad flag or value)"]
    )


def epilog(*sections: str) -> str:
    return "\n\n".join(sections)


def account_env(parallelism: bool = False) -> str:
    return ACCOUNT_ENV + ("\n" + PARALLELISM_ENV if parallelism else "")
