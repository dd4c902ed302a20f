"""Racing applies of the same files (no state file): no duplicate is left, and every exit is truthful."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer

EMULATOR_OPTIONS = {"latency_ms": 100}
MG = "MG" + "0123456789abcdef" * 2

CONFIG = f"""\
version: 1
services:
  - friendly_name: Race One
    code_length: 6
    rate_limits:
      - unique_name: end_user_ip
        buckets:
          - interval: 60
            max: 5
    messaging_configurations:
      - country: US
        messaging_service_sid: {MG}
    webhooks:
      - friendly_name: audit
        event_types: [factor.created]
        webhook_url: https://hooks.example.com/audit
  - friendly_name: Race Two
    code_length: 7
    webhooks:
      - friendly_name: audit
        event_types: [challenge.approved]
        webhook_url: https://hooks.example.com/two
"""


def api(server: EmulatorServer, path: str) -> Any:
    response = requests.get(server.base_url + path, auth=server.accounts[0], timeout=10)
    response.raise_for_status()
    return response.json()


def duplicates(server: EmulatorServer) -> list[str]:
    """Every identity held by more than one live object, services and each service's children."""
    found = []
    services = api(server, "/v2/Services?PageSize=1000")["services"]
    for name, count in Counter(s["friendly_name"] for s in services).items():
        if count > 1:
            found.append(f"service[{name}] x{count}")
    for service in services:
        base = f"/v2/Services/{service['sid']}"
        children = {
            "rate_limit": ("RateLimits", "rate_limits", "unique_name"),
            "webhook": ("Webhooks", "webhooks", "friendly_name"),
            "messaging_configuration": ("MessagingConfigurations", "messaging_configurations", "country"),
        }
        for kind, (path, key, identity) in children.items():
            items = api(server, f"{base}/{path}?PageSize=1000")[key]
            for value, count in Counter(item[identity] for item in items).items():
                if count > 1:
                    found.append(f"service[{service['friendly_name']}]/{kind}[{value}] x{count}")
    return found


def start_racers(
    server: EmulatorServer, config: Path, runs: int, *, cpu: int | None = None
) -> list[subprocess.Popen[str]]:
    """`runs` CLI processes of `apply --auto-approve` started together, each as a user would run it.

    With `cpu`, every racer is held to that one core: they then run out of step as on a loaded
    machine, without a process burning a core to make the load.
    """
    sid, token = server.accounts[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    env.update(
        TWILIO_ACCOUNT_SID=sid, TWILIO_AUTH_TOKEN=token, VERIFYCTL_API_URL=server.base_url, NO_COLOR="1"
    )
    command = [sys.executable, "-m", "verifyctl", "apply", str(config), "--auto-approve"]
    pin = None if cpu is None else functools.partial(os.sched_setaffinity, 0, {cpu})
    return [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=pin
        )
        for _ in range(runs)
    ]


def finish(processes: list[subprocess.Popen[str]]) -> list[subprocess.CompletedProcess[str]]:
    return [
        subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate(timeout=120))
        for p in processes
    ]


def racing_applies(server: EmulatorServer, config: Path, runs: int) -> list[subprocess.CompletedProcess[str]]:
    return finish(start_racers(server, config, runs))


def assert_converged(
    server: EmulatorServer,
    config: Path,
    results: list[subprocess.CompletedProcess[str]],
    monkeypatch: pytest.MonkeyPatch,
    *,
    loaded: bool = False,
) -> None:
    """No duplicate, truthful exits, and a plan after the race has nothing left to do."""
    server.set_faults(latency_ms=0)  # the race is over: the checks need no latency
    shown = "\n".join(r.stdout + r.stderr for r in results)
    assert duplicates(server) == [], shown
    # Truthful exits: 0 claims a converged account, and the account is converged (a later plan is
    # empty). A run may fail truthfully (exit 1, an Error line): when its plan read a service that a
    # racing run then deleted as its duplicate, the read ends the plan (a failed read always does).
    # Under CPU load a racer may still hold its losing copies when the racing check's looks are over:
    # the run then refuses to delete them without --allow-delete (exit 3, nothing written).
    refused = "rerun with --allow-delete to allow it"
    assert all(
        r.returncode == 0
        or (r.returncode == 1 and "Error: " in r.stderr)
        or (loaded and r.returncode == 3 and refused in r.stderr)
        for r in results
    ), shown
    assert any(r.returncode == 0 for r in results), shown
    sid, token = server.accounts[0]
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    monkeypatch.setenv("VERIFYCTL_API_URL", server.base_url)
    after = run_cli("plan", str(config), "--detailed-exitcode")
    assert after.exit_code == 0, shown + after.stdout + after.stderr


# Each trial races whole CLI processes; four trials (N = 2 and 3, twice) keep the file near 20 s.
@pytest.mark.parametrize("runs", [2, 3, 2, 3])
def test_racing_applies_converge_without_duplicates(
    emulator: EmulatorServer, tmp_path: Path, runs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "verifyctl.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    assert_converged(emulator, config, racing_applies(emulator, config, runs), monkeypatch)


# Under CPU load the racers start and run out of step (one's last check can come after another deleted
# the service it created children under). 12 trials of 3 racers, TRIALS_AT_ONCE at a time, all held to
# one core (a loaded machine, at no cost to the other tests), in two halves that pytest-xdist can run
# side by side, each on its own core. tests/benchmarks/racing.py runs as many trials as asked.
LOADED_TRIALS = 12
TRIALS_AT_ONCE = 3


@pytest.mark.slow
@pytest.mark.parametrize("half", [0, 1])
def test_racing_applies_under_cpu_load_converge_without_duplicates(
    tmp_path: Path, half: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "verifyctl.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    # Holding processes to a core is Linux's (where CI runs); elsewhere the racers run as they come.
    core = None
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        core = cores[half % len(cores)]
    for _ in range(LOADED_TRIALS // 2 // TRIALS_AT_ONCE):
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(
                    EmulatorServer(host="127.0.0.1", port=0, retry_after_seconds=0, **EMULATOR_OPTIONS)
                )
                for _ in range(TRIALS_AT_ONCE)
            ]
            started = [start_racers(server, config, 3, cpu=core) for server in servers]
            for server, processes in zip(servers, started, strict=True):
                assert_converged(server, config, finish(processes), monkeypatch, loaded=True)


# No latency here: nothing races, and the waits for a racing writer are what this test goes through.
@pytest.mark.parametrize("emulator", [{"latency_ms": 0}], indirect=True)
def test_a_plan_over_premade_duplicates_proposes_the_resolution_and_apply_converges(
    account: EmulatorServer, tmp_path: Path
) -> None:
    config = tmp_path / "verifyctl.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    assert run_cli("apply", str(config), "--auto-approve").exit_code == 0
    # Two more copies of a service and one of a webhook, as racing applies without the confirm left them.
    auth = account.accounts[0]
    base = account.base_url + "/v2/Services"
    copies = [
        requests.post(base, data={"FriendlyName": "Race One"}, auth=auth, timeout=10).json() for _ in "ab"
    ]
    first = api(account, "/v2/Services?PageSize=1000")["services"]
    two = next(s["sid"] for s in first if s["friendly_name"] == "Race Two")
    hook = {
        "FriendlyName": "audit",
        "EventTypes": "challenge.approved",
        "WebhookUrl": "https://hooks.example.com/two",
    }
    requests.post(f"{base}/{two}/Webhooks", data=hook, auth=auth, timeout=10).raise_for_status()
    assert len(duplicates(account)) == 2

    plan = run_cli("plan", str(config), "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    document = json.loads(plan.stdout)
    deletes = [c for c in document["changes"] if c["action"] == "delete" and not c["deleted_with"]]
    assert sorted(c["id"] for c in deletes if c["kind"] == "service") == sorted(c["sid"] for c in copies)
    assert all(c["reason"].startswith("duplicate of ") and "is kept" in c["reason"] for c in deletes)
    assert [c["kind"] for c in deletes].count("webhook") == 1
    assert [g["flag"] for g in document["guards"]] == ["--allow-delete"]

    refused = run_cli("apply", str(config), "--auto-approve")
    assert refused.exit_code == 3 and "--allow-delete" in refused.stderr
    assert "duplicate of service[Race One]" in refused.stdout
    applied = run_cli("apply", str(config), "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert duplicates(account) == []
    assert run_cli("plan", str(config), "--detailed-exitcode").exit_code == 0
