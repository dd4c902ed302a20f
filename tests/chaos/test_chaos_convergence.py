"""Random configurations applied under random 500s, 429s and dropped writes converge exactly, never twice."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.chaos.evidence import count
from tests.chaos.generate import random_config
from tests.chaos.live_account import account_problems, read_account
from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

# Kept small for CI (under a second each); a longer hunt: VERIFYCTL_CHAOS_SCENARIOS=500 pytest tests/chaos
SCENARIOS = int(os.environ.get("VERIFYCTL_CHAOS_SCENARIOS", "40"))
MAX_RUNS = 5
APPLY = ("apply", "--auto-approve", "--allow-delete", "--force")
SUMMARY = re.compile(r"Apply (?:complete|incomplete): (\d+) applied, (\d+) failed, (\d+) skipped")


def write(path: Path, document: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def point_at(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    sid, token = server.accounts[0]
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    monkeypatch.setenv("VERIFYCTL_API_URL", server.base_url)


@pytest.mark.chaos
@pytest.mark.parametrize("seed", range(SCENARIOS))
def test_random_configuration_converges_under_faults(
    seed: int, target: Path, monkeypatch: pytest.MonkeyPatch, quick_retries: None
) -> None:
    rng = random.Random(seed)
    before, after = random_config(rng), random_config(rng)
    faults = {
        "error_rate": rng.uniform(0.0, 0.3),
        "throttle_rate": rng.uniform(0.0, 0.3),
        "drop_rate": rng.uniform(0.0, 0.3),
    }
    with EmulatorServer(host="127.0.0.1", port=0, seed=seed, retry_after_seconds=0) as server:
        point_at(server, monkeypatch)
        # An account in some earlier state, so that the faulted apply also updates, replaces and deletes.
        first = run_cli(*APPLY, write(target / "before.yaml", before))
        assert first.exit_code == 0, first.stderr

        path = write(target / "after.yaml", after)
        server.set_faults(**faults)
        runs = [run_cli(*APPLY, path)]
        while runs[-1].exit_code != 0 and len(runs) < MAX_RUNS:
            runs.append(run_cli(*APPLY, path))
        server.set_faults(error_rate=0.0, throttle_rate=0.0, drop_rate=0.0)
        answered = server.requests()

        count("chaos: random scenarios")
        count("chaos: applies under faults", len(runs))
        count("chaos: reruns after a failed apply", len(runs) - 1)
        converged = len(runs) if runs[-1].exit_code == 0 else f"not in {MAX_RUNS}"
        count(f"chaos: scenarios converged in runs: {converged}")
        for run in runs:
            # What each faulted apply did with its changes: a failure holds back only its dependents.
            summary = SUMMARY.search(run.stdout + run.stderr)
            if summary is not None:
                for number, status in zip(summary.groups(), ("applied", "failed", "skipped"), strict=True):
                    count(f"chaos: changes {status} by the faulted applies", int(number))
        count("chaos: injected 500s", sum(1 for r in answered if r["status"] == 500))
        count("chaos: injected 429s", sum(1 for r in answered if r["status"] == 429))
        count("chaos: dropped writes", sum(1 for r in answered if r["dropped"]))

        scenario = f"seed {seed}, faults {faults}, {len(runs)} runs"
        assert runs[-1].exit_code == 0, f"{scenario}: not converged:\n{runs[-1].stderr}"
        settled = run_cli("plan", path, "--detailed-exitcode")
        assert settled.exit_code == 0, f"{scenario}:\n{settled.stdout}{settled.stderr}"
        problems = account_problems(after, read_account(server.base_url, server.accounts[0]))
        assert problems == [], f"{scenario}: {problems}"
