"""SIGINT and SIGTERM during a long apply: stop sending, report what landed, exit 130/143, rerun converges."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.apply_reports import report_of
from verifyctl.emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[3]
SERVICES = 500
# Slow enough that the apply lasts seconds at --parallelism 4, so the signal lands mid-run.
EMULATOR_OPTIONS = {"latency_ms": 20, "request_log_size": 20_000}


def _config(tmp_path: Path) -> Path:
    lines = ["version: 1", "services:"]
    lines += [f"  - friendly_name: Interrupted {n:03d}\n    code_length: 6" for n in range(SERVICES)]
    path = tmp_path / "verifyctl.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env(emulator: EmulatorServer) -> dict[str, str]:
    # The caller's TWILIO_*/VERIFYCTL_* settings must not reach the command under test.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    sid, token = emulator.accounts[0][:2]
    return {**env, "PYTHONPATH": str(REPO), "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}


def _default_sigint() -> None:
    """The child takes Ctrl-C as a terminal's foreground job does, however the suite was started.

    A shell starts background jobs (`cmd &`, CI runners, nohup) with SIGINT ignored, and a Python
    started so keeps ignoring it: without this, the test would depend on how pytest was launched.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """`verifyctl apply` in a child process, its output in files (a plan of 500 services fills a pipe)."""

    def __init__(self, emulator: EmulatorServer, config: Path, name: str, *options: str) -> None:
        command = [sys.executable, "-m", "verifyctl", "apply", str(config), "--auto-approve", *options]
        command += ["--parallelism", "4", "--api-url", emulator.base_url]
        self.out, self.err = config.parent / f"{name}.out", config.parent / f"{name}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                command, env=_env(emulator), stdout=out, stderr=err, preexec_fn=_default_sigint
            )

    def finish(self) -> tuple[int, str, str]:
        code = self.process.wait(timeout=300)
        return code, self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8")


def _writes(emulator: EmulatorServer) -> list[dict[str, object]]:
    return [
        r
        for r in emulator.requests()
        if r["method"] == "POST" and str(r["path"]).endswith("/v2/Services") and int(str(r["status"])) < 300
    ]


def _check_report(path: Path, emulator: EmulatorServer, code: int, applied: int, not_started: int) -> None:
    """The report of the interrupted run: what it says landed is what the emulator's log shows landed."""
    report = report_of(path)
    assert (report["outcome"], report["exit_code"]) == ("interrupted", code)
    assert report["reason"].startswith(f"Interrupted: {applied} applied, {not_started} not started")
    results = [change["result"] for change in report["changes"]]
    assert (results.count("applied"), results.count("not_started"), len(results)) == (
        applied,
        not_started,
        SERVICES,
    )
    landed = {str(entry["request_id"]) for entry in _writes(emulator)}
    reported = {c["request_id"] for c in report["changes"] if c["result"] == "applied"}
    assert reported == landed
    assert not [c for c in report["changes"] if c["result"] == "not_started" and (c["requests"] or c["sid"])]


def _wait_for_writes(emulator: EmulatorServer, process: subprocess.Popen[bytes], count: int) -> None:
    """Until the emulator has answered `count` creates; a bound only against a hung test, not an assertion."""
    deadline = time.monotonic() + 120
    while len(_writes(emulator)) < count:
        assert process.poll() is None, "apply ended before it could be interrupted"
        assert time.monotonic() < deadline, "no writes reached the emulator"
        time.sleep(0.02)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_apply_reports_what_landed_and_a_rerun_converges(
    emulator: EmulatorServer, tmp_path: Path, signum: int, code: int
) -> None:
    config = _config(tmp_path)
    report_file = tmp_path / "report.json"
    run = Run(emulator, config, "first", "--report", str(report_file))
    _wait_for_writes(emulator, run.process, 20)
    run.process.send_signal(signum)
    returncode, stdout, stderr = run.finish()

    assert returncode == code, stderr
    line = stderr.strip().splitlines()[-1]
    found = re.fullmatch(r"Interrupted: (\d+) applied, (\d+) not started — run apply again to converge", line)
    assert found, stderr
    applied, not_started = int(found[1]), int(found[2])
    assert applied == len(_writes(emulator))
    assert not_started == SERVICES - applied > 0
    assert f"{applied} applied, 0 failed, 0 skipped, {not_started} not started" in stdout
    assert "Traceback" not in stderr
    _check_report(report_file, emulator, code, applied, not_started)

    emulator.set_faults(latency_ms=0)  # only the interrupted run needs to be slow
    returncode, stdout, stderr = Run(emulator, config, "rerun").finish()
    assert returncode == 0, stderr
    assert f"Apply complete: {not_started} applied, 0 failed, 0 skipped." in stdout
    names = [r["path"] for r in _writes(emulator)]
    assert len(names) == SERVICES  # every service created once: nothing twice
    listed = emulator.requests()
    assert not [r for r in listed if r["method"] == "DELETE"]


def test_a_second_sigint_quits_at_once(emulator: EmulatorServer, tmp_path: Path) -> None:
    config = _config(tmp_path)
    run = Run(emulator, config, "twice")
    _wait_for_writes(emulator, run.process, 5)
    # Requests now in flight wait until the latency is lowered: the first SIGINT has something to wait for.
    emulator.set_faults(latency_ms=600_000)
    run.process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    while "sending no more changes" not in run.err.read_text(encoding="utf-8"):
        assert run.process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    run.process.send_signal(signal.SIGINT)
    returncode, _, stderr = run.finish()
    assert returncode == 130
    assert "Interrupted again: quitting now; run apply again to converge" in stderr
    emulator.set_faults(latency_ms=0)


@pytest.mark.parametrize(
    ("signum", "code", "word"), [(signal.SIGINT, 130, "Interrupted."), (signal.SIGTERM, 143, "Terminated.")]
)
def test_a_signal_during_the_read_exits_with_its_code(
    emulator: EmulatorServer, tmp_path: Path, signum: int, code: int, word: str
) -> None:
    config = _config(tmp_path)
    emulator.set_faults(latency_ms=600_000)  # the plan's first read stays in flight until released
    run = Run(emulator, config, "reading")
    deadline = time.monotonic() + 60
    while emulator.in_flight() == 0:
        assert run.process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    run.process.send_signal(signum)
    emulator.set_faults(latency_ms=0)
    returncode, _, stderr = run.finish()
    assert returncode == code
    assert stderr.splitlines()[-1] == word
    assert not _writes(emulator)
