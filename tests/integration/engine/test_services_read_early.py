"""A plan reads the services list while the files' records are built, and each plan reads its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifyctl.client import Credentials
from verifyctl.emulator import EmulatorServer
from verifyctl.engine import AccountSpec, Engine, load_configuration
from verifyctl.errors import ApiError

CONFIG = "version: 1\nservices:\n  - friendly_name: Early\n    code_length: 6\n"


def spec(server: EmulatorServer, token: str | None = None) -> AccountSpec:
    sid, real = server.accounts[0]
    return AccountSpec(api_url=server.base_url, credentials=Credentials(sid, token or real, sid))


def service_lists(server: EmulatorServer) -> int:
    return sum(1 for r in server.requests() if r["method"] == "GET" and r["path"] == "/v2/Services")


def test_each_plan_reads_the_services_once(emulator: EmulatorServer, tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text(CONFIG, encoding="utf-8")
    config = load_configuration([str(tmp_path / "v.yaml")], {})
    with Engine.open(spec(emulator)) as engine:
        first = engine.plan(config)
        assert service_lists(emulator) == 1
        second = engine.plan(config)
        assert service_lists(emulator) == 2
    assert [str(c.address) for c in first.changes] == [str(c.address) for c in second.changes]
    assert [str(c.address) for c in first.changes] == ["service[Early]"]


def test_a_services_list_that_fails_fails_the_plan_with_its_error(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "v.yaml").write_text(CONFIG, encoding="utf-8")
    config = load_configuration([str(tmp_path / "v.yaml")], {})
    with (
        Engine.open(spec(emulator, token="wrong-token-" + "0" * 20)) as engine,
        pytest.raises(ApiError, match="20003"),
    ):
        engine.plan(config)
