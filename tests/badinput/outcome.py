"""What every run of verifyctl must look like, whatever it was given: a known exit code, no traceback."""

from __future__ import annotations

import re

from tests.chaos.evidence import count
from tests.integration.conftest import Run, run_cli
from verifyctl.emulator import EmulatorServer

EXIT_CODES = {0, 1, 2, 3, 64}
# A ConfigError ends with its count; a PolicyError (error-level lint findings) with its own, and a hint.
CONFIG_SUMMARY = re.compile(r"^\d+ (problems?|policy errors?) found in the configuration($|; )")
PROBLEM_LINE = re.compile(r"^\S.*:\d+:\d+: \S")
# A PlanError names the services it cannot match, one per line.
PLAN_PROBLEM_LINE = re.compile(r"^service\[.*\]")
CLICK_USAGE_LINES = re.compile(r"^(Usage: |Try '|\s*$)")


def run_and_check(server: EmulatorServer, suite: str, *args: str) -> Run:
    """Run `verifyctl ARGS` in-process and check the outcome; count it under `suite`."""
    server.clear_requests()
    run = run_cli(*args)
    requests = [r for r in server.requests() if str(r["path"]).startswith("/v2/")]
    written = [r for r in requests if r["method"] in ("POST", "DELETE")]
    count(f"badinput: {suite}")
    count(f"badinput: {suite}, exit {run.exit_code}")
    where = f"verifyctl {' '.join(args)!r} exited {run.exit_code}"

    assert run.exit_code in EXIT_CODES, f"{where}\n{run.stderr}"
    for stream in (run.stdout, run.stderr):
        assert "Traceback (most recent call last)" not in stream, f"{where}\n{stream}"
        assert not re.search(r'^\s+File "', stream, re.MULTILINE), f"{where}\n{stream}"
    if run.exit_code in (0, 2):
        return run
    lines = run.stderr.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
    if run.exit_code == 64 and not errors and run.stderr.startswith("Usage: "):
        # A group called without its command (`verifyctl`, `verifyctl emulator`): click shows the help.
        assert written == [], f"{where}: a usage error wrote to the API: {written}"
        count(f"badinput: {suite}, help shown for a missing command")
        return run
    assert len(errors) == 1, f"{where}: expected one 'Error: ' line on stderr:\n{run.stderr}"
    after = [line for line in lines[errors[0] + 1 :] if line.strip()]
    if any(CONFIG_SUMMARY.match(line) for line in after) or PROBLEM_LINE.match(lines[errors[0]][7:]):
        # A ConfigError: one problem per line, FILE:LINE:COL: ..., then the count; nothing was sent.
        assert all(PROBLEM_LINE.match(line) or CONFIG_SUMMARY.match(line) for line in after), run.stderr
        assert requests == [], f"{where}: an invalid configuration reached the API: {requests}"
        count(f"badinput: {suite}, rejected as an invalid configuration")
    elif run.exit_code == 64:
        assert written == [], f"{where}: a usage error wrote to the API: {written}"
        assert all(CLICK_USAGE_LINES.match(line) for line in lines[: errors[0]]), run.stderr
        assert after == [], f"{where}: more than one line of error:\n{run.stderr}"
    else:
        assert all(PLAN_PROBLEM_LINE.match(line) for line in after), f"{where}: not one line:\n{run.stderr}"
    return run
