"""plan under the adaptive limit: a capped account plans right, a failed read stops the run at once."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.integration.conftest import run_cli
from verifyctl.emulator import EmulatorServer
from verifyctl.errors import EXIT_ERROR

SERVICES = 40
MISSING_SID = "VA" + "f" * 32


@pytest.fixture(autouse=True)
def no_parallelism_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VERIFYCTL_PARALLELISM", "VERIFYCTL_FIXED_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)


def populate(server: EmulatorServer, count: int) -> list[str]:
    """`count` services with one webhook each, written with plain HTTP; their SIDs in order."""
    session = requests.Session()
    session.auth = server.accounts[0]
    sids = []
    for index in range(count):
        answer = session.post(
            f"{server.base_url}/v2/Services", data={"FriendlyName": f"Svc {index:02d}"}, timeout=5
        )
        answer.raise_for_status()
        sid = answer.json()["sid"]
        session.post(
            f"{server.base_url}/v2/Services/{sid}/Webhooks",
            data={
                "FriendlyName": "audit",
                "EventTypes": "factor.created",
                "WebhookUrl": "https://hooks.example.com/a",
            },
            timeout=5,
        ).raise_for_status()
        sids.append(sid)
    session.close()
    return sids


def write_config(directory: Path, count: int, extra: int = 0, drifted: int | None = None) -> str:
    services: list[dict[str, Any]] = []
    for index in range(count + extra):
        service: dict[str, Any] = {"friendly_name": f"Svc {index:02d}", "webhooks": []}
        if index < count:
            service["webhooks"] = [
                {
                    "friendly_name": "audit",
                    "event_types": ["factor.created"],
                    "webhook_url": "https://hooks.example.com/a",
                }
            ]
        if index == drifted:
            service["code_length"] = 8
        services.append(service)
    path = directory / "verifyctl.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "services": services}, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "emulator",
    [
        {"max_concurrency": 4, "latency_ms": 5},
        # Each refusal asks its request to wait a second.
        {"max_concurrency": 4, "latency_ms": 5, "concurrency_retry_after": 1},
    ],
    indirect=True,
    ids=["no-retry-after", "retry-after-1"],
)
def test_plan_at_a_high_ceiling_against_a_cap_of_4_is_right(account: EmulatorServer, workdir: Path) -> None:
    populate(account, SERVICES)
    config = write_config(workdir, SERVICES, extra=2, drifted=3)
    account.clear_requests()

    run = run_cli("plan", config, "--format", "json", "--parallelism", "64", "--stats")

    assert run.exit_code == 0, run.stderr
    changes = json.loads(run.stdout)["changes"]
    assert sorted((c["action"], c["address"]) for c in changes) == [
        ("create", "service[Svc 40]"),
        ("create", "service[Svc 41]"),
        ("update", "service[Svc 03]"),
    ]
    # Every read was answered in the end; the limit backed off from the refusals it met.
    refused = account.concurrency_refusals()
    answered = [r for r in account.requests() if r["status"] == 200 and str(r["path"]).startswith("/v2/")]
    assert len(answered) == 1 + SERVICES  # the services list, then one webhook list per service
    assert f"{refused} concurrency 429" in run.stderr
    assert "(ceiling 64)" in run.stderr
    # Whether these few refusals show the cap depends on how the requests meet the account in time;
    # the limiter's rules are held to simulated accounts in tests/unit/client (deterministic).


@pytest.mark.parametrize("emulator", [{"latency_ms": 20}], indirect=True)
def test_a_read_failing_for_good_ends_the_plan_at_once(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sids = populate(account, SERVICES)
    config = write_config(workdir, SERVICES)
    # The first service's child lists are asked of a service that does not exist: a 404, not retried.
    app: Any = account._app
    handle = app.handle
    monkeypatch.setattr(
        app, "handle", lambda method, path, *rest: handle(method, path.replace(sids[0], MISSING_SID), *rest)
    )
    account.clear_requests()

    run = run_cli("plan", config, "--parallelism", "8", "--fixed-parallelism")

    assert run.exit_code == EXIT_ERROR
    assert run.stderr.startswith("Error: ") and "Webhooks was not found" in run.stderr
    log = [r for r in account.requests() if str(r["path"]).startswith("/v2/")]
    failed = next(i for i, r in enumerate(log) if r["status"] == 404)
    # Answered after the 404: what was on the wire with it (at most 7 more) and what started in the
    # moment before the cancel (at most 8); reading on would have sent all 40 services' lists.
    assert len(log) - failed - 1 <= 2 * 8
    assert len(log) < 1 + SERVICES


@pytest.mark.parametrize("emulator", [{}], indirect=True)
def test_the_ceiling_comes_from_the_environment_and_a_fixed_limit_says_so(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(workdir, 0, extra=1)
    monkeypatch.setenv("VERIFYCTL_PARALLELISM", "7")
    adaptive = run_cli("plan", config, "--stats")
    monkeypatch.setenv("VERIFYCTL_FIXED_PARALLELISM", "1")
    fixed = run_cli("plan", config, "--stats", "--parallelism", "5")

    assert adaptive.exit_code == 0 and fixed.exit_code == 0
    assert "(ceiling 7)" in adaptive.stderr
    assert "concurrency fixed at 5" in fixed.stderr


# Nothing races this apply (and no account cap makes a wait matter): its waits for a racer are skipped.
@pytest.mark.usefixtures("instant_waits")
@pytest.mark.parametrize("emulator", [{"latency_ms": 20}], indirect=True)
def test_a_write_failing_for_good_holds_back_only_what_depends_on_it(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(workdir, SERVICES)
    # The create of one service is sent where no collection exists: a 404 that no retry can change.
    app: Any = account._app
    handle = app.handle

    def failing_one(method: str, path: str, query: str, body: str, *rest: Any) -> Any:
        if method == "POST" and "FriendlyName=Svc+02" in body:
            path = f"/v2/Services/{MISSING_SID}/Webhooks"
        return handle(method, path, query, body, *rest)

    monkeypatch.setattr(app, "handle", failing_one)

    run = run_cli("apply", config, "--auto-approve", "--parallelism", "4", "--fixed-parallelism")

    assert run.exit_code == EXIT_ERROR
    assert "Svc 02" in run.stdout + run.stderr
    created = [r for r in account.requests() if r["method"] == "POST" and r["status"] == 201]
    # Every other service and its webhook: only Svc 02's webhook waits for its service.
    assert len(created) == 2 * SERVICES - 2
    assert "1 change failed and 1 was skipped" in run.stderr
    assert "service[Svc 02]/webhook[audit]: a change it depends on failed" in run.stdout + run.stderr


@pytest.mark.parametrize("emulator", [{"latency_ms": 20}], indirect=True)
def test_a_failure_that_concerns_the_account_stops_apply_and_names_what_was_done(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(workdir, SERVICES)
    # One create is refused as unauthenticated (401): every other request would be refused as well.
    app: Any = account._app
    handle = app.handle

    def refused_one(method: str, path: str, query: str, body: str, auth: Any, *rest: Any) -> Any:
        if method == "POST" and "FriendlyName=Svc+02" in body:
            auth = "Basic " + base64.b64encode(b"ACnobody:wrong").decode()
        return handle(method, path, query, body, auth, *rest)

    monkeypatch.setattr(app, "handle", refused_one)

    run = run_cli("apply", config, "--auto-approve", "--parallelism", "4", "--fixed-parallelism")

    assert run.exit_code == EXIT_ERROR
    assert "Svc 02" in run.stdout + run.stderr
    log = [r for r in account.requests() if r["method"] == "POST"]
    failed = next(i for i, r in enumerate(log) if r["status"] == 401)
    # What was on the wire with the failure (at most 3 more) and what started before the cancel (at
    # most 4); the other services and every webhook (wave 2) were never sent.
    assert len(log) - failed - 1 <= 2 * 4
    applied = [r for r in log if r["status"] == 201]
    assert len(applied) < SERVICES
    assert f"1 change failed and {2 * SERVICES - len(applied) - 1} were skipped" in run.stderr
