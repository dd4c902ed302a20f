"""The `verifyctl` command group and the CLI's single error boundary."""

from __future__ import annotations

import importlib
import signal
import sys
import threading
from types import FrameType

import click

from verifyctl import __version__
from verifyctl.cli.hints import with_cli_hint
from verifyctl.cli.interrupts import Terminated
from verifyctl.errors import EXIT_ERROR, EXIT_USAGE, VerifyctlError

# Command name -> "module:attribute". Commands are imported when invoked, so `--version`, `--help`,
# `validate` and `schema` never load the HTTP stack, and no command module imports this one.
COMMANDS = {
    "validate": "verifyctl.cli.config_cmd:validate_command",
    "plan": "verifyctl.cli.plan_cmd:plan_command",
    "apply": "verifyctl.cli.apply_cmd:apply_command",
    "import": "verifyctl.cli.import_cmd:import_command",
    "lint": "verifyctl.cli.lint_cmd:lint_command",
    "show": "verifyctl.cli.show_cmd:show_command",
    "output": "verifyctl.cli.output_cmd:output_command",
    "schema": "verifyctl.cli.config_cmd:schema_command",
    "verify": "verifyctl.cli.verify_cmd:verify_group",
    "emulator": "verifyctl.cli.emulator_cmd:emulator_group",
}


# Each command's summary (the first paragraph of its help), so that `--help` lists the commands
# without importing them: importing them all loaded requests and pydantic for a help page. A test
# holds these to the commands' own help.
SUMMARIES = {
    "validate": "Check the YAML files offline: syntax, keys, types and the API's documented limits.",
    "plan": "Show what apply would change in the live account (with --env all, in every environment).",
    "apply": "Create, update and delete what differs so that the live account matches.",
    "import": "Write live services (all, or each SERVICE named by friendly name or SID) as YAML.",
    "lint": "Check the YAML files against the policy rules, offline; findings as FILE:LINE:COL:"
    " LEVEL[RULE]: FIX.",
    "show": "Show the live objects of the services the files declare, with their SIDs.",
    "output": 'Print each declared service\'s SID: json {"NAME": "VA..."}, or NAME_VERIFY_SERVICE_SID=VA...'
    " lines.",
    "schema": "Print the JSON Schema of the YAML format (for editors: yaml-language-server).",
    "verify": "Run the Verify workflow against a deployed service: send a code, then check it.",
    "emulator": "Run the local Verify v2 emulator and read the messages it would have sent.",
}


class LazyGroup(click.Group):
    """A group whose commands live in their own modules, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section as click writes it, from SUMMARIES rather than the imported commands."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # A bare Command of the same help shortens it exactly as the real one would.
        stand_ins = {name: click.Command(name, help=SUMMARIES[name]) for name in COMMANDS}
        rows = [(name, command.get_short_help_str(limit)) for name, command in stand_ins.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="verifyctl")
def cli() -> None:
    """Manage Twilio Verify services as code.

    YAML files describe the Verify services an account must have; `plan` shows the
    difference against the live account and `apply` makes the account match.
    """


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped, so an error stays on one line."""
    # Arguments and file names come from the user and may hold anything, a newline included.
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _show_usage_error(exc: click.UsageError) -> None:
    """Click's usage, help hint and `Error:` line, with the message kept on one line."""
    ctx = exc.ctx
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", err=True)
    click.echo(f"Error: {one_line(exc.format_message())}", err=True)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and turn every expected failure into a one-line message and an exit code."""
    if threading.current_thread() is not threading.main_thread():
        _run(argv)  # only the main thread may set signal handlers
        return
    # Unhandled, SIGTERM kills the process with no word; as Ctrl-C, it gets a line and 128 + 15.
    # Put back afterwards: a caller running main() in its own process (tests) keeps its handler.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        _run(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(argv: list[str] | None) -> None:
    try:
        code = cli.main(args=argv, prog_name="verifyctl", standalone_mode=False)
    except click.exceptions.Abort:
        # Click turns Ctrl-C at a prompt into Abort: exit as an interrupt does.
        click.echo("Interrupted.", err=True)
        sys.exit(128 + signal.SIGINT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        # Click exits 2 for usage errors, but 2 means "changes present" here (as in Terraform).
        _show_usage_error(exc)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"Error: {one_line(exc.format_message())}", err=True)
        sys.exit(EXIT_ERROR)
    except VerifyctlError as exc:
        click.echo(f"Error: {with_cli_hint(exc, sys.argv[1:] if argv is None else argv)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(128 + signal.SIGINT)
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(128 + signal.SIGTERM)
    sys.exit(code if isinstance(code, int) else 0)
