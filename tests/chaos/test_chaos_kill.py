"""`verifyctl apply` killed with SIGKILL at random moments of its writes: every rerun converges, no twins."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.chaos.evidence import count
from tests.chaos.generate import random_config
from tests.chaos.live_account import account_problems, read_account
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

REPO_ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("VERIFYCTL_CHAOS_KILLS", "20"))
# The kills are dealt to this many shards (each its own seed and emulator), which pytest-xdist runs side
# by side: the suite's slowest test would otherwise be this one.
SHARDS = 4
APPLY = ["apply", "--auto-approve", "--allow-delete", "--force"]
# Each request waits this long in the emulator, so that an apply is still writing when the kill comes.
LATENCY_MS = 15


def writes(server: EmulatorServer) -> int:
    return sum(1 for r in server.requests() if r["method"] in ("POST", "DELETE"))


def kill_during_writes(
    server: EmulatorServer, env: dict[str, str], path: str, after: int, jitter: float
) -> bool:
    """Start apply as its own process; SIGKILL it once `after` writes were answered (plus `jitter` s).

    Returns False when the process ended by itself before that (then nothing was killed).
    """
    server.clear_requests()
    process = subprocess.Popen(
        [sys.executable, "-m", "verifyctl", *APPLY, path],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while writes(server) < after:
            if process.poll() is not None:
                return False
            assert time.monotonic() < deadline, "apply made no progress"
            time.sleep(0.002)
        time.sleep(jitter)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.chaos
@pytest.mark.parametrize("shard", range(SHARDS))
def test_killed_applies_converge_on_rerun_without_duplicates(
    shard: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick_retries: None
) -> None:
    rng = random.Random(7 + shard)
    shard_kills = KILLS // SHARDS + (1 if shard < KILLS % SHARDS else 0)
    with EmulatorServer(host="127.0.0.1", port=0, latency_ms=LATENCY_MS, retry_after_seconds=0) as server:
        sid, token = server.accounts[0]
        variables = {
            "TWILIO_ACCOUNT_SID": sid,
            "TWILIO_AUTH_TOKEN": token,
            "VERIFYCTL_API_URL": server.base_url,
        }
        for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        path = tmp_path / "verifyctl.yaml"

        kills = attempts = 0
        while kills < shard_kills:
            attempts += 1
            assert attempts < shard_kills * 3 + 3, f"only {kills} kills in {attempts} attempts"
            document = random_config(rng, prune=True)
            path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
            planned = run_cli("plan", str(path), "--format", "json")
            assert planned.exit_code == 0, planned.stderr
            changes = len(json.loads(planned.stdout)["changes"])
            if changes < 2:
                continue  # nothing to interrupt
            after = rng.randint(1, changes - 1)
            if not kill_during_writes(server, env, str(path), after, rng.uniform(0.0, LATENCY_MS / 1000)):
                continue
            kills += 1
            count("chaos: applies killed with SIGKILL")
            count("chaos: writes answered before a kill", writes(server))

            rerun = run_cli(*APPLY, str(path))
            count("chaos: reruns after a kill")
            assert rerun.exit_code == 0, f"kill {kills}: the rerun failed:\n{rerun.stderr}"
            assert run_cli("plan", str(path), "--detailed-exitcode").exit_code == 0, f"kill {kills}"
            problems = account_problems(document, read_account(server.base_url, server.accounts[0]))
            assert problems == [], f"kill {kills} after {after} writes: {problems}"
