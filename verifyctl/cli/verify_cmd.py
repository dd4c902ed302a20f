"""`verifyctl verify send|check`: run the Verify workflow against a deployed service, as a smoke test."""

from __future__ import annotations

import json

import click

from verifyctl.cli.environment import one_target
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, account_options, open_engine
from verifyctl.cli.output import result
from verifyctl.errors import UsageError

CHANNELS = ("sms", "call", "email", "whatsapp")


@click.group("verify")
def verify_group() -> None:
    """Run the Verify workflow against a deployed service: send a code, then check it.

    SERVICE is a friendly name or a SID. PATHS are read for their `environments:` section, as plan
    reads them (--env). Against the emulator (--local, or an --api-url on loopback) `send` also
    prints the message it would have delivered, code included.
    """


def rate_limit_values(given: tuple[str, ...]) -> str | None:
    """The RateLimits JSON object of the --rate-limit UNIQUE_NAME=VALUE options, or None without any."""
    values: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--rate-limit {item!r} is not UNIQUE_NAME=VALUE (e.g. end_user_ip=203.0.113.7)")
        values[name.strip()] = value
    return json.dumps(values, ensure_ascii=False) if values else None


def send_parameters(
    to: str,
    channel: str,
    amount: str | None,
    payee: str | None,
    custom_code: str | None,
    locale: str | None,
    rate_limits: tuple[str, ...],
) -> list[tuple[str, str]]:
    """The form of a Verification create, from the options given (those not given are not sent)."""
    form = [("To", to), ("Channel", channel)]
    optional = {"Amount": amount, "Payee": payee, "CustomCode": custom_code, "Locale": locale}
    form += [(name, value) for name, value in optional.items() if value is not None]
    limits = rate_limit_values(rate_limits)
    if limits is not None:
        form.append(("RateLimits", limits))
    return form


@verify_group.command("send", epilog=epilog(PATHS, account_env(), exit_codes("  0   sent")))
@click.argument("service")
# Read only for their `environments:` section, which skips what it cannot read: a typo must not pass.
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--to", required=True, metavar="TO", help="E.164 phone number (+15017122661) or e-mail.")
@click.option("--channel", type=click.Choice(CHANNELS), default="sms", show_default=True)
@click.option("--amount", metavar="AMOUNT", help="The PSD2 transaction's amount (a PSD2 service needs it).")
@click.option("--payee", metavar="PAYEE", help="The PSD2 transaction's payee (a PSD2 service needs it).")
@click.option(
    "--custom-code",
    metavar="CODE",
    help="Send this code instead of a generated one (the service needs custom_code_enabled).",
)
@click.option(
    "--locale", metavar="LOCALE", help="The message's language, e.g. es or pt-BR (default: by number)."
)
@click.option(
    "--rate-limit",
    "rate_limits",
    multiple=True,
    metavar="UNIQUE_NAME=VALUE",
    help="The value a rate limit of the service counts this send against, e.g. end_user_ip=203.0.113.7"
    " (repeatable).",
)
@account_options
def send_command(
    service: str,
    paths: tuple[str, ...],
    to: str,
    channel: str,
    amount: str | None,
    payee: str | None,
    custom_code: str | None,
    locale: str | None,
    rate_limits: tuple[str, ...],
    account: AccountOptions,
) -> None:
    """Send a verification code to TO through SERVICE."""
    form = send_parameters(to, channel, amount, payee, custom_code, locale, rate_limits)
    with open_engine(account, target=one_target(account, paths)) as engine:
        target = engine.find_service(service)
        verification = engine.send(target, form)
        sid = verification.get("sid")
        result(
            f"Sent a code to {to} by {channel} through service[{target.key}] ({target.id}): "
            f"verification {sid}, status {verification.get('status')}.\n"
        )
        recorded = [m for m in engine.emulator_messages(to) if m.get("verification_sid") == sid]
        if recorded:
            result(f"Emulator message to {to}: {recorded[-1].get('body')}\n")


@verify_group.command(
    "check",
    epilog=epilog(
        PATHS,
        account_env(),
        exit_codes("  0   approved", error="not approved (wrong code, expired), or an error"),
    ),
)
@click.argument("service")
# Read only for their `environments:` section, which skips what it cannot read: a typo must not pass.
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--to", required=True, metavar="TO", help="The phone number or e-mail the code was sent to.")
@click.option("--code", required=True, help="The code received.")
@click.option("--amount", metavar="AMOUNT", help="The PSD2 transaction's amount, as sent.")
@click.option("--payee", metavar="PAYEE", help="The PSD2 transaction's payee, as sent.")
@account_options
def check_command(
    service: str,
    paths: tuple[str, ...],
    to: str,
    code: str,
    amount: str | None,
    payee: str | None,
    account: AccountOptions,
) -> int:
    """Check CODE for TO; exit 0 when the verification is approved, 1 otherwise."""
    form = [("To", to), ("Code", code)]
    form += [(name, value) for name, value in (("Amount", amount), ("Payee", payee)) if value is not None]
    with open_engine(account, target=one_target(account, paths)) as engine:
        check = engine.check(engine.find_service(service), to, form)
    status = str(check.get("status"))
    if status == "approved":
        result(f"{to}: approved.\n")
        return 0
    hint = " (wrong code)" if status == "pending" else ""
    result(f"{to}: {status}{hint}; not approved.\n")
    return 1
