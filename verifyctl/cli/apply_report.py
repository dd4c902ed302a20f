"""`apply --report FILE.json`: who ran the apply, and its report, written however the apply ends."""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone

import click

from verifyctl.cli.files import STDOUT, WriteError, check_writable, write_text
from verifyctl.cli.interrupts import Terminated
from verifyctl.cli.output import progress
from verifyctl.engine.apply_report import ApplyRecord, RunBy, build_report
from verifyctl.errors import EXIT_ERROR, UsageError, VerifyctlError

# What GitHub's variables hold, checked before they go into a report: they come from the environment.
_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")
_SERVER = re.compile(r"https://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?")
_RUN_ID = re.compile(r"[0-9]{1,20}")
_USER_MAX = 64
_INTERRUPT_CODES = {130: "SIGINT", 143: "SIGTERM"}


def check_report_path(path: str) -> None:
    """Refuse (exit 64), before anything is read or sent, a report path that could not be written."""
    if path == STDOUT:
        raise UsageError("--report needs a file: standard output carries the plan and the apply's lines")
    try:
        check_writable(path)
    except WriteError as error:
        raise UsageError(f"--report: {error}") from None


def run_by(environ: Mapping[str, str]) -> RunBy:
    """The GitHub Actions actor and run URL when the variables are there and well formed; else the local
    user name when it can be had cheaply. Nothing malformed is passed on."""
    actor = environ.get("GITHUB_ACTOR", "")
    if actor:
        server = environ.get("GITHUB_SERVER_URL", "")
        repository = environ.get("GITHUB_REPOSITORY", "")
        run_id = environ.get("GITHUB_RUN_ID", "")
        url = None
        if _SERVER.fullmatch(server) and _REPOSITORY.fullmatch(repository) and _RUN_ID.fullmatch(run_id):
            url = f"{server}/{repository}/actions/runs/{run_id}"
            attempt = environ.get("GITHUB_RUN_ATTEMPT", "")
            if _RUN_ID.fullmatch(attempt) and attempt != "1":
                url += f"/attempts/{attempt}"
        return RunBy("github-actions", actor if _GITHUB_LOGIN.fullmatch(actor) else None, url)
    return RunBy("local", _local_user())


def _local_user() -> str | None:
    try:
        user = getpass.getuser()
    except Exception:  # no variable names the user and the password database has no entry for the uid
        return None
    return user if 0 < len(user) <= _USER_MAX and user.isprintable() else None


def now() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def reporting(path: str | None, environ: Mapping[str, str]) -> Iterator[ApplyRecord | None]:
    """Inside, the apply fills in the record; at the end, however it ends, the report is written to `path`.

    A report that cannot be written fails an apply that had succeeded (exit 1); after a failure the
    failure stands, and a line says the report is missing.
    """
    if path is None:
        yield None
        return
    record = ApplyRecord(run_by=run_by(environ), started=now())
    try:
        yield record
    except click.exceptions.Exit as stop:
        record.exit_code = stop.exit_code
        record.interrupted = stop.exit_code in _INTERRUPT_CODES
        _write_after_failure(path, record)
        raise
    except VerifyctlError as error:
        record.exit_code, record.reason = error.exit_code, str(error)
        _write_after_failure(path, record)
        raise
    except (KeyboardInterrupt, click.exceptions.Abort, Terminated) as interruption:
        record.exit_code = 143 if isinstance(interruption, Terminated) else 130
        record.interrupted = True
        when = " before any change was sent" if record.result is None else ""
        record.reason = record.reason or f"interrupted by {_INTERRUPT_CODES[record.exit_code]}{when}"
        _write_after_failure(path, record)
        raise
    except BaseException:
        record.exit_code, record.reason = EXIT_ERROR, record.reason or "the run ended on an unexpected error"
        _write_after_failure(path, record)
        raise
    _write(path, record)


def _write(path: str, record: ApplyRecord) -> None:
    record.ended = now()
    report = build_report(record)
    write_text(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _write_after_failure(path: str, record: ApplyRecord) -> None:
    try:
        _write(path, record)
    except VerifyctlError as error:
        progress(f"Error: the apply report was not written: {error}")
