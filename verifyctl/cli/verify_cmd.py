"""`verifyctl verify send|check`: run the Verify workflow against a deployed service, as a smoke test."""

from __future__ import annotations

import click

from verifyctl.cli.help_text import account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, account_options, open_engine
from verifyctl.cli.output import result

CHANNELS = ("sms", "call", "email", "whatsapp")


@click.group("verify")
def verify_group() -> None:
    """Run the Verify workflow against a deployed service: send a code, then check it.

    SERVICE is a friendly name or a SID. Against the emulator (--local, or an --api-url on
    loopback) `send` also prints the message it would have delivered, code included.
    """


@verify_group.command("send", epilog=epilog(account_env(), exit_codes("  0   sent")))
@click.argument("service")
@click.option("--to", required=True, metavar="TO", help="E.164 phone number (+15017122661) or e-mail.")
@click.option("--channel", type=click.Choice(CHANNELS), default="sms", show_default=True)
@account_options
def send_command(service: str, to: str, channel: str, account: AccountOptions) -> None:
    """Send a verification code to TO through SERVICE."""
    with open_engine(account) as engine:
        target = engine.find_service(service)
        verification = engine.send(target, to, channel)
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
        account_env(), exit_codes("  0   approved", error="not approved (wrong code, expired), or an error")
    ),
)
@click.argument("service")
@click.option("--to", required=True, metavar="TO", help="The phone number or e-mail the code was sent to.")
@click.option("--code", required=True, help="The code received.")
@account_options
def check_command(service: str, to: str, code: str, account: AccountOptions) -> int:
    """Check CODE for TO; exit 0 when the verification is approved, 1 otherwise."""
    with open_engine(account) as engine:
        check = engine.check(engine.find_service(service), to, code)
    status = str(check.get("status"))
    if status == "approved":
        result(f"{to}: approved.\n")
        return 0
    hint = " (wrong code)" if status == "pending" else ""
    result(f"{to}: {status}{hint}; not approved.\n")
    return 1
