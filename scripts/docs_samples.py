"""Run the commands of every `console` block in README.md and docs/, and compare (or rewrite) their output.

    python scripts/docs_samples.py            # check: a unified diff per stale block, exit 1 if any
    python scripts/docs_samples.py --write    # rewrite the stale blocks with what the commands print

A `markdown` block that starts with verifyctl's comment marker (`<!-- verifyctl-…`) is checked too:
it is the stdout of the command SAMPLES gives for it. A console block is a transcript: `$ COMMAND`
lines (a trailing `\\` continues one, and the shell gets the lines as shown), each followed by the
output it shows (stdout and stderr together, as a terminal shows them). Each block runs in a fresh
temporary directory, in the layout the page describes (SAMPLES says which files, and what ran
before), with `verifyctl`, `python` and `python3` on PATH (this script's interpreter, which has the
project's dependencies, twilio among them), no TWILIO_*/VERIFYCTL_* variable of the caller, and the
embedded emulator (`--local`) in that directory. A command shown without output must exit 0; its
output is not compared. A command that only sets a variable (`$ VA=VA…`) sets it for the later
commands. A line of the page starting with `…` stands for any number of lines (blocks shortened by
hand); such a block is checked, but `--write` leaves it for a person to update.

Before comparing, both sides are normalised, and only in these ways: a SID (two capital letters and
32 hex digits) becomes its prefix and `…` (`VA…`); a masked account `AC…1234` becomes `AC…`; a
duration `0.42 s` becomes `N s`; a byte size `3.6 kB` becomes `N B`; an ISO time becomes `TIME`; the
code in "verification code is: 123456" becomes `CODE`; a `sha256:` digest becomes `sha256:…`; an apply
report's `"duration_ms": 12` becomes `"duration_ms": N`. A page's code in a later command line
(`--code 580407`) is replaced by the code the emulator sent, as a SID the page shows in an output is
replaced in later command lines by the one printed in its place (and the other way in what is
printed, so that `--write` keeps the page's own). Nothing else is forgiven.

A walkthrough across several blocks of a page runs as one session (SAMPLES gives them one `session`
name): its blocks run in page order in one directory, one environment, and its SIDs and codes map
across blocks. Its `server` block starts the page's `verifyctl emulator serve` command itself with
`--port 0` added (tests bind no fixed port), reads the banner up to "Press Ctrl-C to stop." as the
block's output, and keeps the server running until the session ends. The banner's `export NAME=VALUE`
lines are set for the later blocks, as the page asks its reader to, and the values those lines show
on the page (the URL with port 8765, the auth token, the admin token) stand for the run's: the page's
are put into command lines and into the files the session writes, and the run's are shown as the
page's in what the commands print.

A block that cannot run here is listed in EXEMPT with its reason; a block in neither list fails.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPDATE = "python scripts/docs_samples.py --write"
OPEN = re.compile(r"^```(console|markdown)\s*$")
# A markdown block is a sample when it is verifyctl's own output: a plan comment, marker first.
MARKDOWN_OUTPUT = "<!-- verifyctl-"
CLOSE = re.compile(r"^```\s*$")
ELISION = "…"
KEY_LENGTH = 60

NORMALISE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b([A-Z]{2})[0-9a-f]{32}\b"), r"\1…"),
    (re.compile(r"\bAC…[0-9a-f]{4}\b"), "AC…"),
    (re.compile(r"\b\d+(?:\.\d+)? s\b"), "N s"),
    (re.compile(r"\b\d+(?:\.\d+)? (?:B|kB|MB)\b"), "N B"),
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z\b"), "TIME"),
    (re.compile(r"(verification code is: )\d{4,10}"), r"\1CODE"),
    (re.compile(r"\bsha256:[0-9a-f]{64}\b"), "sha256:…"),
    (re.compile(r'("duration_ms": )\d+'), r"\1N"),
]
CODE = re.compile(r"verification code is: (\d{4,10})")
SID = re.compile(r"\b[A-Z]{2}[0-9a-f]{32}\b")


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Block:
    """One console block: where it is, and its lines between the fences."""

    page: Path
    start: int  # index of the first line after the opening fence
    lines: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        # The page and the start of the block's first line: enough to tell a page's blocks apart.
        first = self.lines[0] if self.lines else ""
        half = KEY_LENGTH // 2
        short = first if len(first) <= KEY_LENGTH else f"{first[:half]}…{first[-half:]}"
        return (str(self.page.relative_to(ROOT)), short)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.start}"


@dataclass(frozen=True)
class Command:
    """A `$` command of a block and the output lines the page shows for it."""

    line: str
    shown: tuple[str, ...]


def blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opened = OPEN.match(lines[index])
        if opened:
            end = index + 1
            while end < len(lines) and not CLOSE.match(lines[end]):
                end += 1
            block = Block(page, index + 1, tuple(lines[index + 1 : end]))
            if opened.group(1) == "console" or (block.lines and block.lines[0].startswith(MARKDOWN_OUTPUT)):
                yield block
            index = end
        index += 1


def commands(block: Block) -> list[Command]:
    found: list[Command] = []
    lines = list(block.lines)
    index = 0
    while index < len(lines):
        if not lines[index].startswith("$ "):
            raise ValueError(f"{block.where}: output before the first `$` line: {lines[index]!r}")
        line = lines[index][2:]
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line += "\n" + lines[index]  # the shell joins the lines, as it would the page's
        index += 1
        shown: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            shown.append(lines[index])
            index += 1
        found.append(Command(line, tuple(shown)))
    return found


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def fenced(page: str, containing: str, language: str = "yaml") -> str:
    """The text of the page's first `language` block that contains `containing`."""
    text = (ROOT / page).read_text(encoding="utf-8")
    for match in re.finditer(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S):
        if containing in match.group(1):
            return match.group(1)
    raise LookupError(f"{page}: no {language} block contains {containing!r}")


def quickstart() -> str:
    return fenced("README.md", "friendly_name: Acme Login          # identity")


def copy_examples(workdir: Path) -> None:
    shutil.copytree(ROOT / "examples", workdir / "examples")


def copy_environments_as_verify(workdir: Path) -> None:
    """The recipes' layout: examples/environments as `verify/`."""
    shutil.copytree(ROOT / "examples" / "environments", workdir / "verify")


@dataclass(frozen=True)
class Sample:
    """How a block runs: files first, a set-up script, and the command a command-less block shows."""

    files: Callable[[], dict[str, str]] = dict
    setup: str = ""  # shell, run in the work directory before the block (its output is not shown)
    prepare: Callable[[Path], None] | None = None
    command: str = ""  # for a block that shows only output: what printed it
    between: dict[int, str] = field(default_factory=dict)  # shell run before the command of that index
    shown_files: bool = True  # write the files the block shows with `$ cat F` before it runs
    env: dict[str, str] = field(default_factory=dict)  # variables the page's reader has set
    session: str = ""  # blocks of one name run in turn, in one directory (a walkthrough)
    server: bool = False  # the block's first command is a server the session keeps running


APPLY_QUICKSTART = "verifyctl apply --local --auto-approve"
ABSENT = "version: 1\nservices:\n  - friendly_name: Acme Login\n    ensure: absent\n"
INVALID = """\
version: 1
services:
  - friendly_name: Acme Login
    code_lenght: 6
    totp: {issuer: Acme, time_step: 30, skew: 3}
    whatsapp: {msg_service_sid: "${ACME_WA_MSG_SERVICE}"}
    webhooks:
      - friendly_name: audit
        event_types: ["*"]
        webhook_url: http://hooks.example.com/verify
"""

# The embedded emulator's database, given two services of one name (which verifyctl never makes).
TWO_SERVICES_OF_ONE_NAME = """python - <<'EOF'
from pathlib import Path
import requests
from verifyctl.emulator import LOCAL_DB_PATH, EmulatorServer
Path(LOCAL_DB_PATH).parent.mkdir()
with EmulatorServer(host="127.0.0.1", port=0, db_path=Path(LOCAL_DB_PATH)) as server:
    for _ in range(2):
        url, auth = server.base_url + "/v2/Services", server.accounts[0]
        requests.post(url, data={"FriendlyName": "Acme Login"}, auth=auth, timeout=10).raise_for_status()
EOF"""

# A service with a webhook whose URL holds a password and a token (which show masks).
WITH_WEBHOOK = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
    webhooks:
      - friendly_name: audit
        event_types: [challenge.approved]
        webhook_url: https://ci:hook-password@hooks.example.com/verify?token=hook-token
"""

TEMPLATE = (
    "printf 'version: 1\\nservices:\\n  - friendly_name: Acme Signup\\n"
    "    default_template: {name}\\n' > tpl.yaml"
)

EMULATOR = "docs/emulator.md: an example session"
FLEET = "docs/fleet.md: the walkthrough"


def fleet_files() -> dict[str, str]:
    """docs/fleet.md's fleet: its environments, services and member variables, as the page shows them."""
    return {
        "verify/environments.yaml": fenced("docs/fleet.md", "subaccounts_of"),
        "verify/verifyctl.yaml": fenced("docs/fleet.md", "MEMBER_NAME"),
        "verify/tenants.vars": fenced("docs/fleet.md", "tenant-002: "),
    }


SAMPLES: dict[tuple[str, str], Sample] = {
    (
        "README.md",
        "Valid: 4 files, 5 services, 17…ronments: staging, production)",
    ): Sample(
        prepare=copy_examples,
        command="verifyctl validate examples/ && verifyctl plan --local examples/ && verifyctl apply "
        "--local --auto-approve examples/ && verifyctl plan --local --detailed-exitcode examples/",
    ),
    ("README.md", "$ verifyctl validate"): Sample(files=lambda: {"verifyctl.yaml": quickstart()}),
    ("README.md", "$ verifyctl plan --local      …`ensure: absent` on Acme Login"): Sample(
        files=lambda: {"verifyctl.yaml": quickstart()},
        setup=f"{APPLY_QUICKSTART} && printf '{ABSENT}' > verifyctl.yaml",
    ),
    ("README.md", '$ verifyctl verify send "Acme …gin" --to +15005550006 --local'): Sample(
        files=lambda: {"verifyctl.yaml": quickstart()}, setup=APPLY_QUICKSTART
    ),
    ("docs/ci.md", "$ verifyctl validate"): Sample(files=lambda: {"verifyctl.yaml": quickstart()}),
    ("docs/configuration.md", "$ verifyctl validate examples/"): Sample(prepare=copy_examples),
    ("docs/configuration.md", "$ verifyctl validate"): Sample(files=lambda: {"verifyctl.yaml": INVALID}),
    ("docs/configuration.md", "$ cat tpl.yaml"): Sample(),
    ("docs/configuration.md", "$ verifyctl plan safe-list.yaml --local"): Sample(
        files=lambda: {
            "safe-list.yaml": "version: 1\n"
            + fenced("docs/configuration.md", '"+15005550007", ensure: absent')
        },
        # The number to remove is listed before the page's plan runs.
        setup="printf 'version: 1\\nsafe_list:\\n  - phone_number: \"+15005550007\"\\n' > listed.yaml && "
        "verifyctl apply listed.yaml --local --auto-approve && rm listed.yaml",
    ),
    ("docs/day-2.md", '$ verifyctl verify send "Acme …gin" --to +15005550006 --local'): Sample(
        files=lambda: {"verifyctl.yaml": quickstart()}, setup=APPLY_QUICKSTART
    ),
    ("docs/configuration.md", "$ verifyctl plan tpl.yaml --local"): Sample(
        between={
            0: TEMPLATE.format(name="Base Verification Template 2 with do-not-share"),
            1: TEMPLATE.format(name="Welcome"),
        }
    ),
    ("docs/plans-and-apply.md", "<!-- verifyctl-plan -->"): Sample(
        files=lambda: {"verifyctl.yaml": quickstart()},
        setup=f"{APPLY_QUICKSTART} && sed -i 's/code_length: 6/code_length: 8/' verifyctl.yaml",
        command="verifyctl plan --local --format markdown 2>/dev/null",
    ),
    ("docs/plans-and-apply.md", "$ cat report.json"): Sample(
        files=lambda: {"verifyctl.yaml": quickstart()},
        setup=f"{APPLY_QUICKSTART} && sed -i 's/code_length: 6/code_length: 8/' verifyctl.yaml && "
        f"LOGNAME=alice {APPLY_QUICKSTART} --report report.json",
        shown_files=False,
    ),
    ("docs/ci.md", "<!-- verifyctl-plan:staging -->"): Sample(
        files=lambda: {
            "verify/verifyctl.yaml": quickstart(),
            "verify/environments.yaml": fenced("docs/ci.md", "# verify/environments.yaml"),
        },
        setup=f"{APPLY_QUICKSTART} verify/ --env staging && sed -i 's/code_length: 6/code_length: 8/' "
        "verify/verifyctl.yaml",
        command="verifyctl plan verify/ --local --env staging --format markdown 2>/dev/null",
    ),
    ("docs/environments.md", "$ verifyctl show --address 'se…Login]/webhook[audit]' --local"): Sample(
        files=lambda: {"verifyctl.yaml": WITH_WEBHOOK}, setup=APPLY_QUICKSTART
    ),
    ("docs/day-2.md", "$ verifyctl import --local -o verifyctl.yaml"): Sample(
        # The account holds what the page's imported file describes; import writes it back.
        setup="verifyctl apply seed.yaml --local --auto-approve && rm seed.yaml",
        files=lambda: {
            "seed.yaml": fenced("docs/day-2.md", "# Imported from the live account", "console")
            .split("$ cat verifyctl.yaml\n", 1)[1]
            .split("\n$ ", 1)[0]
            + "\n"
        },
        shown_files=False,
    ),
    ("docs/day-2.md", '$ verifyctl verify send "Acme Login" --to +15005550006'): Sample(
        setup=TWO_SERVICES_OF_ONE_NAME, env={"VERIFYCTL_LOCAL": "1"}
    ),
    ("docs/environments.md", "$ verifyctl output verify/ --env staging --format env"): Sample(
        prepare=copy_environments_as_verify,
        setup="verifyctl apply verify/ --env staging --auto-approve",
        env={"VERIFYCTL_LOCAL": "1"},
    ),
    (
        "docs/day-2.md",
        '$ COMP_WORDS="verifyctl verify…MPLETE=bash_complete verifyctl',
    ): Sample(),
    ("docs/environments.md", "$ verifyctl validate examples/environments"): Sample(prepare=copy_examples),
    # docs/emulator.md's example session: one server, curl and the twilio library against it.
    ("docs/emulator.md", "$ verifyctl emulator serve --db demo.sqlite3"): Sample(
        session=EMULATOR, server=True
    ),
    ("docs/emulator.md", '$ curl -s -u "$TWILIO_ACCOUNT_…//127.0.0.1:8765/v2/Services \\'): Sample(
        session=EMULATOR
    ),
    ("docs/emulator.md", '$ curl -s -u "$TWILIO_ACCOUNT_…2/Services/$VA/Verifications \\'): Sample(
        session=EMULATOR
    ),
    ("docs/emulator.md", "$ verifyctl emulator messages --to +15017122661"): Sample(session=EMULATOR),
    ("docs/emulator.md", '$ curl -s -u "$TWILIO_ACCOUNT_…rvices/$VA/VerificationCheck \\'): Sample(
        session=EMULATOR
    ),
    # docs/fleet.md's walkthrough: an emulator with subaccounts, one fleet from 3 tenants to shards.
    ("docs/fleet.md", "$ verifyctl emulator serve --subaccounts 3"): Sample(session=FLEET, server=True),
    ("docs/fleet.md", "$ verifyctl plan verify/ --env tenants"): Sample(session=FLEET, files=fleet_files),
    ("docs/fleet.md", "$ verifyctl apply verify/ --env tenants --auto-approve"): Sample(session=FLEET),
    ("docs/fleet.md", '$ verifyctl plan verify/ --env…/dev/null 2>&1; echo "exit $?"'): Sample(session=FLEET),
    ("docs/fleet.md", '$ curl -s -u "$TWILIO_ACCOUNT_… /dev/null -w "%{http_code}\\n"'): Sample(
        session=FLEET
    ),
    ("docs/fleet.md", "$ verifyctl plan verify/ --env…ut fleet-plan.json > /dev/null"): Sample(session=FLEET),
    ("docs/fleet.md", '$ for k in 1 2; do verifyctl p…n(set(members)), "different")\''): Sample(
        session=FLEET
    ),
    ("docs/emulator.md", "$ python app_example.py"): Sample(
        session=EMULATOR,
        files=lambda: {"app_example.py": fenced("docs/emulator.md", "client.verify.base_url", "python")},
    ),
}

EXEMPT: dict[tuple[str, str], str] = {
    ("README.md", "------------------------------…------------------------------"): (
        "the closing lines of a run of the whole test suite, which this test is part of"
    ),
    (
        "README.md",
        "$ verifyctl emulator serve --port 8765",
    ): "a server that runs until stopped; no output shown",
    ("docs/plans-and-apply.md", "Interrupted: 212 applied, 288 … — run apply again to converge"): (
        "one line of an apply stopped by Ctrl-C halfway through 500 changes"
    ),
    ("docs/ci.md", "<!-- verifyctl-drift:staging -->"): (
        "a drift issue the action opens on GitHub; tests/integration/action/test_drift_issue.py compares it"
    ),
}


def _cat_files(block: Block) -> dict[str, str]:
    """Files a block shows with `$ cat F` and does not make itself: written before it runs."""
    return {
        command.line.split(maxsplit=1)[1]: "\n".join(command.shown) + "\n"
        for command in commands(block)
        if re.fullmatch(r"cat [\w./-]+", command.line)
    }


def _environment(workdir: Path) -> dict[str, str]:
    bin_dir = workdir.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    verifyctl = bin_dir / "verifyctl"
    verifyctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m verifyctl "$@"\n', encoding="utf-8")
    verifyctl.chmod(0o755)
    # A page's `python`/`python3` is the one verifyctl runs on (with its dependencies, e.g. twilio).
    for name in ("python", "python3"):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_", "_VERIFYCTL"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
        HOME=str(workdir.parent),
        COLUMNS="100",
        NO_COLOR="1",
    )
    return env


def _shell(
    script: str, workdir: Path, env: dict[str, str], last: int = 0
) -> subprocess.CompletedProcess[str]:
    # `(exit N)` first gives `$?` the previous command's status, for a page's `echo $?`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", f"(exit {last}); {script}"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


@dataclass
class Outcome:
    """What a block's commands printed, as the block would show it, and what went wrong."""

    block: Block
    actual: list[str]
    problems: list[str]

    def matches(self) -> bool:
        return not self.problems and _matches(list(self.block.lines), self.actual)


def _matches(shown: list[str], actual: list[str]) -> bool:
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip().startswith(ELISION) else re.escape(normalise(line)) + r"\n"
        for line in shown
    )
    return re.fullmatch(pattern, "".join(normalise(line) + "\n" for line in actual)) is not None


@dataclass
class _Run:
    """What the commands of a block, or of a session's blocks in turn, share."""

    workdir: Path
    env: dict[str, str]
    codes: dict[str, str] = field(default_factory=dict)  # a page's code or SID -> the one this run printed
    values: dict[str, str] = field(default_factory=dict)  # a page's server value -> this run's
    last: int = 0

    def to_run(self, text: str) -> str:
        for page, real in [*self.codes.items(), *self.values.items()]:
            text = text.replace(page, real)
        return text

    def to_page(self, text: str) -> str:
        # The page's own SIDs and codes come back too, so that a rewritten page stays consistent.
        for page, real in [*self.values.items(), *self.codes.items()]:
            text = text.replace(real, page)
        return text

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            (self.workdir / name).parent.mkdir(parents=True, exist_ok=True)
            (self.workdir / name).write_text(self.to_run(text), encoding="utf-8")


ASSIGNMENT = re.compile(r"([A-Za-z_]\w*)=([\w.:/+-]*)")
EXPORT = re.compile(r"^  export (\w+)=(\S+)$", re.M)
BANNER_END = "Press Ctrl-C to stop."
NOT_FOUND = 127  # the shell's status for a command it cannot find
BANNER_SECONDS = 60


def _run_commands(block: Block, sample: Sample, run: _Run) -> Outcome:
    problems: list[str] = []
    actual: list[str] = []
    for index, command in enumerate(commands(block)):
        if index in sample.between:
            _shell(sample.between[index], run.workdir, run.env)
        line = run.to_run(command.line)
        done = _shell(line, run.workdir, run.env, run.last)
        run.last = done.returncode
        assigned = ASSIGNMENT.fullmatch(line)
        if assigned and done.returncode == 0:
            run.env[assigned.group(1)] = assigned.group(2)
        # A command's continuation lines are part of the block as written.
        actual.append("$ " + command.line)
        if command.shown:
            _learn_codes(command, done.stdout, run)
            actual.extend(run.to_page(done.stdout).splitlines())
        elif done.returncode != 0:
            problems.append(f"{block.where}: `{command.line}` exited {done.returncode}:\n{done.stdout}")
        if done.returncode == NOT_FOUND:  # e.g. no curl here: say so, rather than show a stale sample
            problems.append(
                f"{block.where}: `{command.line}` needs a program this machine lacks:\n{done.stdout}"
            )
    return Outcome(block, "\n".join(actual).splitlines(), problems)


def _learn_codes(command: Command, printed: str, run: _Run) -> None:
    # The page's codes and SIDs, in order, are the ones this run printed in their place.
    for pattern in (CODE, SID):
        pairs = zip(pattern.findall("\n".join(command.shown)), pattern.findall(printed), strict=False)
        run.codes.update((page, real) for page, real in pairs if page[:2] == real[:2] or pattern is CODE)


def run_block(block: Block, sample: Sample) -> Outcome:
    if sample.session:
        return _session(sample.session)[block.key]
    with tempfile.TemporaryDirectory(prefix="verifyctl-docs-") as temp:
        workdir = Path(temp) / "work"
        workdir.mkdir()
        run = _Run(workdir, {**_environment(workdir), **sample.env})
        shown_files = _cat_files(block) if sample.shown_files and not sample.command else {}
        run.write({**sample.files(), **shown_files})
        if sample.prepare is not None:
            sample.prepare(workdir)
        if sample.setup:
            done = _shell(sample.setup, workdir, run.env)
            if done.returncode != 0:
                return Outcome(block, [], [f"{block.where}: the set-up failed:\n{done.stdout}"])
        if sample.command:
            done = _shell(sample.command, workdir, run.env)
            return Outcome(block, done.stdout.splitlines(), [])
        return _run_commands(block, sample, run)


@functools.cache
def _session(name: str) -> dict[tuple[str, str], Outcome]:
    """Every block of the session run in page order, once per process: their outcomes by key."""
    members = [block for block in console_blocks() if getattr(SAMPLES.get(block.key), "session", "") == name]
    outcomes: dict[tuple[str, str], Outcome] = {}
    server: subprocess.Popen[str] | None = None
    with tempfile.TemporaryDirectory(prefix="verifyctl-docs-") as temp:
        workdir = Path(temp) / "work"
        workdir.mkdir()
        run = _Run(workdir, _environment(workdir))
        try:
            for block in members:
                sample = SAMPLES[block.key]
                run.env.update(sample.env)
                run.write(sample.files())
                if sample.server:
                    server, outcomes[block.key] = _serve(block, run)
                else:
                    outcomes[block.key] = _run_commands(block, sample, run)
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    return outcomes


def _serve(block: Block, run: _Run) -> tuple[subprocess.Popen[str] | None, Outcome]:
    """Start the block's server command on a free port; its banner is the block's output."""
    command, *rest = commands(block)
    if rest:
        return None, Outcome(block, [], [f"{block.where}: a server block shows one command, its banner"])
    server = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-c", f"exec {command.line} --port 0"],
        cwd=run.workdir,
        env=run.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    # A thread drains the server's output for as long as it runs, so that it never blocks on a full pipe.
    threading.Thread(target=_drain, args=(server, lines), daemon=True).start()
    banner: list[str] = []
    try:
        while not banner or banner[-1] != BANNER_END:
            line = lines.get(timeout=BANNER_SECONDS)
            if line is None:
                problem = f"{block.where}: the server ended before its banner did:\n" + "\n".join(banner)
                return server, Outcome(block, [], [problem])
            banner.append(line)
    except queue.Empty:
        return server, Outcome(block, [], [f"{block.where}: no banner in {BANNER_SECONDS} s"])
    real = dict(EXPORT.findall("\n".join(banner)))
    run.env.update(real)
    shown = dict(EXPORT.findall("\n".join(command.shown)))
    run.values.update((shown[name], real[name]) for name in shown.keys() & real.keys())
    _learn_codes(command, "\n".join(banner), run)
    return server, Outcome(block, ["$ " + command.line, *run.to_page("\n".join(banner)).splitlines()], [])


def _drain(server: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert server.stdout is not None
    for line in server.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def console_blocks() -> list[Block]:
    return [block for page in pages() for block in blocks(page)]


def check(write: bool = False) -> list[str]:
    """Every console block checked (or rewritten); the problems, each with a diff, for the caller to show."""
    problems: list[str] = []
    rewrites: dict[Path, list[tuple[Block, list[str]]]] = {}
    for block in console_blocks():
        if block.key in EXEMPT:
            continue
        sample = SAMPLES.get(block.key)
        if sample is None:
            problems.append(
                f"{block.where}: a console block that no sample runs ({block.key[1]!r}): add it to SAMPLES "
                "(or, if it cannot run, to EXEMPT with the reason) in scripts/docs_samples.py"
            )
            continue
        outcome = run_block(block, sample)
        if outcome.matches():
            continue
        problems.extend(outcome.problems)
        if outcome.problems:
            continue
        if write and not any(line.strip().startswith(ELISION) for line in block.lines):
            rewrites.setdefault(block.page, []).append((block, outcome.actual))
            continue
        diff = difflib.unified_diff(
            list(block.lines),
            outcome.actual,
            f"{block.where} (the page)",
            "what the commands print",
            lineterm="",
        )
        hint = "shortened with …: update it by hand" if write else f"update with: {UPDATE}"
        problems.append(f"{block.where}: the sample is stale ({hint})\n" + "\n".join(diff))
    for page, changes in rewrites.items():
        lines = page.read_text(encoding="utf-8").splitlines()
        for block, actual in sorted(changes, key=lambda change: -change[0].start):
            lines[block.start : block.start + len(block.lines)] = actual
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="rewrite stale blocks with the commands' output")
    args = parser.parse_args(argv)
    problems = check(write=args.write)
    for problem in problems:
        print(problem, end="\n\n", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
