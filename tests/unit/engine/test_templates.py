"""default_template names resolved via the Templates list: found, unknown, ambiguous, read only if needed."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from verifyctl.engine import Engine, load_configuration
from verifyctl.engine.account import Connection
from verifyctl.errors import PlanError
from verifyctl.plan.model import Action
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import SERVICE
from verifyctl.resources.records import DesiredRecord
from verifyctl.state.templates import TEMPLATES_PATH, Template, resolve_template_names

HJ1, HJ2, HJ3 = ("HJ" + str(n) * 32 for n in (1, 2, 3))
TEMPLATES = [
    {"sid": HJ1, "friendly_name": "Base Verification Template"},
    {"sid": HJ2, "friendly_name": "Do Not Share"},
    {"sid": HJ3, "friendly_name": "Do Not Share"},
]


class FakeClient:
    """Answers the lists a plan reads and remembers which paths were asked for."""

    def __init__(self, templates: list[dict[str, Any]], services: list[dict[str, Any]] | None = None) -> None:
        self.templates = templates
        self.services = services or []
        self.paths: list[str] = []

    def list(self, path: str, list_key: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        self.paths.append(path)
        return self.templates if path == TEMPLATES_PATH else self.services if list_key == "services" else []

    def get(self, path: str) -> dict[str, Any]:
        return {"friendly_name": "Test account"}

    def cancel(self) -> None:
        """What the engine calls when a plan fails: nothing is queued here to stop."""


def service(name: str, template: str | None = None, absent: bool = False) -> DesiredRecord:
    return DesiredRecord(
        SERVICE,
        name,
        {"friendly_name": name},
        absent=absent,
        location=f"{name}.yaml:3:5",
        default_template=template,
    )


def plan_with(client: FakeClient, services: Sequence[DesiredRecord], targets: Sequence[Address] = ()) -> Any:
    """Plan through the engine, over the fake client, the files declaring these services."""
    written = [
        {
            "friendly_name": record.key,
            **({"default_template": record.default_template} if record.default_template else {}),
            **({"ensure": "absent"} if record.absent else {}),
        }
        for record in services
    ]
    connection: Any = Connection(client, client, "AC1", "http://127.0.0.1:1")  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(max_workers=2) as pool:
        path = Path(folder) / "verifyctl.yaml"
        path.write_text(yaml.safe_dump({"version": 1, "services": written}), encoding="utf-8")
        return Engine(connection, pool).plan(load_configuration([str(path)], {}), targets)


def templates() -> list[Template]:
    return [Template(t["sid"], t["friendly_name"]) for t in TEMPLATES]


def test_a_name_becomes_the_template_sid() -> None:
    [resolved] = resolve_template_names([service("Acme", "Base Verification Template")], templates())
    assert resolved.fields == {"friendly_name": "Acme", "default_template_sid": HJ1}


def test_an_unknown_name_is_an_error_suggesting_close_names() -> None:
    with pytest.raises(PlanError) as error:
        resolve_template_names([service("Acme", "base verification template")], templates())
    message = str(error.value)
    assert message.startswith("service[Acme] (Acme.yaml:3:5): default_template 'base verification template'")
    assert "did you mean 'Base Verification Template'?" in message


def test_an_unknown_name_with_nothing_close_lists_the_templates() -> None:
    with pytest.raises(PlanError) as error:
        resolve_template_names([service("Acme", "Welcome")], templates())
    assert "the account's templates are 'Base Verification Template' (HJ1" in str(error.value)
    assert f"'Do Not Share' ({HJ2}), 'Do Not Share' ({HJ3})" in str(error.value)


def test_an_unknown_name_in_an_account_without_templates() -> None:
    with pytest.raises(PlanError, match="the account has no templates"):
        resolve_template_names([service("Acme", "Welcome")], [])


def test_an_ambiguous_name_is_an_error_naming_the_candidate_sids() -> None:
    with pytest.raises(PlanError) as error:
        resolve_template_names([service("Acme", "Do Not Share")], templates())
    assert f"'Do Not Share' is ambiguous: 2 templates have this name ({HJ2}, {HJ3})" in str(error.value)
    assert "write default_template_sid" in str(error.value)


def test_every_bad_name_is_reported_at_once() -> None:
    with pytest.raises(PlanError) as error:
        resolve_template_names([service("A", "Welcome"), service("B", "Do Not Share")], templates())
    lines = str(error.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["service[A] (A.yaml", "service[B] (B.yaml"]


def test_the_templates_list_is_read_only_when_a_service_names_a_template() -> None:
    client = FakeClient(TEMPLATES)
    plan_with(client, [service("Acme")])
    assert TEMPLATES_PATH not in client.paths
    plan_with(client, [service("Gone", "Welcome", absent=True)])
    assert TEMPLATES_PATH not in client.paths
    plan = plan_with(client, [service("Acme", "Base Verification Template")])
    assert client.paths.count(TEMPLATES_PATH) == 1
    [change] = plan.changes
    assert change.action is Action.CREATE and change.after == {
        "friendly_name": "Acme",
        "default_template_sid": HJ1,
    }


def test_with_targets_only_services_in_scope_are_resolved() -> None:
    client = FakeClient(TEMPLATES)
    desired = [service("A", "Welcome"), service("B")]
    plan = plan_with(client, desired, [Address.parse("service[B]")])
    assert [str(change.address) for change in plan.changes] == ["service[B]"]
    assert TEMPLATES_PATH not in client.paths
    with pytest.raises(PlanError, match=r"service\[A\]"):
        plan_with(client, desired, [Address.parse("service[A]")])
