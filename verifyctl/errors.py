"""The one error root of verifyctl; every class knows the exit code the CLI ends with."""

from __future__ import annotations

from dataclasses import dataclass

# The exit codes (docs/plans-and-apply.md#exit-codes).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_REFUSED = 3
# `plan` of a plan that apply would refuse for its policy errors: told apart from errors and changes.
EXIT_POLICY_BLOCKED = 4
EXIT_USAGE = 64


class VerifyctlError(Exception):
    """Root of every expected failure; the CLI prints `Error: <str>` and exits with `exit_code`."""

    exit_code: int = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(VerifyctlError):
    """The command line itself is wrong (bad flag combination, bad value)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One problem found in a configuration file, located as FILE:LINE:COL."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(VerifyctlError):
    """The configuration is invalid; carries every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        summary = f"{count} problem{'s' if count != 1 else ''} found in the configuration"
        super().__init__("\n".join([*lines, summary]))


def _policy_message(findings: list[str], ending: str) -> str:
    count = len(findings)
    return "\n".join([*findings, f"{count} policy error{'s' if count != 1 else ''} {ending}"])


class PolicyError(VerifyctlError):
    """Error-level lint findings that no policy exception waives; `validate` fails on them."""

    def __init__(self, findings: list[str]) -> None:
        self.findings = list(findings)
        ending = "found in the configuration; fix it, or waive the rule for its service in policy.exceptions"
        super().__init__(_policy_message(self.findings, ending))


class CredentialsError(VerifyctlError):
    """No usable credentials for the target account."""


class PlanError(VerifyctlError):
    """The plan cannot be made (for example, several live services share one friendly name)."""


class RefusedError(VerifyctlError):
    """A safety guard refused to go on (deletes, thresholds, stale plan, no terminal)."""

    exit_code = EXIT_REFUSED


class PolicyRefusedError(RefusedError):
    """`apply` refuses while an error-level lint finding has no policy exception."""

    def __init__(self, findings: list[str]) -> None:
        self.findings = list(findings)
        ending = (
            "without an exception: nothing was applied (fix them, or waive the rule in policy.exceptions)"
        )
        super().__init__(_policy_message(self.findings, ending))


class PolicyBlockedPlanError(VerifyctlError):
    """`plan` showed a plan that apply would refuse: error-level findings without an exception."""

    exit_code = EXIT_POLICY_BLOCKED

    def __init__(self, findings: list[str]) -> None:
        self.findings = list(findings)
        count = len(self.findings)
        super().__init__(
            f"{count} policy error{'s' if count != 1 else ''} without an exception (listed in the plan): "
            "apply would refuse this plan; fix them, or waive the rule for the service in policy.exceptions"
        )


class StalePlanError(RefusedError):
    """A saved plan differs from the plan made now, or was made from other files or for another account."""


class ApiError(VerifyctlError):
    """A Twilio error body (`code`, `message`, `more_info`, `status`) answered a request."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None,
        method: str,
        path: str,
    ) -> None:
        self.status = status
        self.code = code
        self.api_message = message
        self.more_info = more_info
        self.method = method
        self.path = path
        detail = f"Twilio error {code}" if code is not None else f"HTTP {status}"
        if more_info:
            detail = f"{detail}: {more_info}"
        super().__init__(f"{message} ({detail})")


class WriteRefusedError(ApiError):
    """Twilio refused a write because the API key may only read (a restricted key): 403 with code 70051."""

    exit_code = EXIT_REFUSED

    def __init__(
        self, *, status: int, code: int | None, message: str, more_info: str | None, method: str, path: str
    ) -> None:
        super().__init__(
            status=status, code=code, message=message, more_info=more_info, method=method, path=path
        )
        self.message = f"the API key cannot write: {method} {path} was refused: {self.message}"
        self.args = (self.message,)

    def ending(self, tail: str) -> WriteRefusedError:
        """This error with `; <tail>` appended to its one line (what the run did before it stopped)."""
        self.message = f"{self.message}; {tail}"
        self.args = (self.message,)
        return self


class TransportError(VerifyctlError):
    """The request got no usable HTTP answer (connection refused, timeout, reset)."""


class OutcomeUnknownError(TransportError):
    """A write was sent but its outcome is unknown; look the object up before any retry."""


class ApplyError(VerifyctlError):
    """Some changes of an apply failed; the summary names them."""


class ReadBackError(ApplyError):
    """Every change was applied, but the API stored some values otherwise than sent: the file must say
    what is stored, or every plan shows the same change again."""


class AccountMismatchError(RefusedError):
    """An environment's credentials belong to another account than the one it declares."""
