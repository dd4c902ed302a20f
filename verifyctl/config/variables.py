"""The values `${NAME}` may take: declared sources and `VERIFYCTL_VAR_NAME` variables, never a credential."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# `VERIFYCTL_VAR_NAME=value` in the process environment gives `${NAME}` its value (as Terraform's TF_VAR_):
# any other process variable (a CI secret, GITHUB_TOKEN, ...) is out of reach of a file.
PREFIX = "VERIFYCTL_VAR_"
# The variables verifyctl reads its own credentials from: never substituted, whatever the source.
CREDENTIAL_VARIABLES = frozenset(
    {"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"}
)
# The variables verifyctl sets for each member of a fleet: no file, --var or process variable gives them.
FLEET_VARIABLES = ("MEMBER_NAME", "MEMBER_SID")
# What they stand for where no member is known: offline checks, and the services of a fleet read by
# another environment's load (which drops them).
FLEET_STAND_INS = {"MEMBER_NAME": "fleet-member", "MEMBER_SID": "AC" + "0" * 32}
# Of those, the ones holding a secret: a substituted value holding one is masked wherever it is shown.
SECRET_VARIABLES = ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET")
_HELD_LENGTH = 8


class Variables(dict[str, str]):
    """Values for `${NAME}`, with the names no file may reference and the credential values to mask.

    A plain mapping handed to the loader is taken for the process environment: `of_process` keeps only
    its prefixed variables, so that no caller can pass the whole environment through by mistake.
    """

    def __init__(
        self,
        values: Mapping[str, str] | None = None,
        *,
        credential_names: Iterable[str] = (),
        credential_values: Iterable[str] = (),
        environment: str = "",
    ) -> None:
        super().__init__(values or {})
        # The named environment these values are for ("" without one): a service kept out of it by its
        # `environments:` list may name a fleet's built-in variables.
        self.environment = environment
        self.credential_names = CREDENTIAL_VARIABLES | frozenset(credential_names)
        self.credential_values = frozenset(value for value in credential_values if value.strip())

    @classmethod
    def of_process(
        cls,
        environ: Mapping[str, str],
        credential_names: Iterable[str] = (),
        declared: Mapping[str, str] | None = None,
        environment: str = "",
    ) -> Variables:
        """The prefixed process variables, overridden by `declared` (the files' and the command line's);
        the credential values are those of `environ` under the credential names."""
        own = tuple(credential_names)
        values = {name[len(PREFIX) :]: value for name, value in environ.items() if name.startswith(PREFIX)}
        values.pop("", None)
        for name in FLEET_VARIABLES:
            values.pop(name, None)  # set by verifyctl for a fleet's members only
        values.update(declared or {})
        secrets = [environ.get(name, "").strip() for name in (*SECRET_VARIABLES, *own)]
        return cls(values, credential_names=own, credential_values=secrets, environment=environment)

    def holds_credential(self, value: str) -> bool:
        """Whether `value` is, or holds, the value of a credential variable (then it is masked as a secret).

        Held inside a longer value only from `_HELD_LENGTH` characters (real tokens have 32): a test's
        one-letter token would otherwise make every value with that letter sensitive.
        """
        return any(
            value == credential or (len(credential) >= _HELD_LENGTH and credential in value)
            for credential in self.credential_values
        )


def as_variables(environ: Mapping[str, str]) -> Variables:
    """`environ` itself when it is Variables already, else its prefixed variables (a process environment)."""
    return environ if isinstance(environ, Variables) else Variables.of_process(environ)
