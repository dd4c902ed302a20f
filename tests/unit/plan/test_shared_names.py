"""Services that share a friendly name: the config accepts them pinned apart; plan addresses them by sid."""

from __future__ import annotations

from typing import Any

import pytest

from verifyctl.config.loader import load_sources
from verifyctl.errors import ConfigError
from verifyctl.plan.diff import make_plan
from verifyctl.plan.model import Action
from verifyctl.plan.scope import Scope
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import SERVICE, WEBHOOK, Kind
from verifyctl.resources.records import DesiredRecord, LiveRecord

SID_A, SID_B = "VA" + "a" * 32, "VA" + "b" * 32


def live(kind: Kind, key: str, id: str, webhooks: tuple[LiveRecord, ...] = (), **values: Any) -> LiveRecord:
    fields: dict[str, Any] = {f.key: None for f in kind.fields}
    fields.update({kind.identity: key, **values})
    children = {"rate_limit": (), "messaging_configuration": (), "webhook": webhooks}
    return LiveRecord(kind, key, fields, id=id, children=children)


def want(
    key: str, sid: str | None = None, webhooks: tuple[DesiredRecord, ...] = (), **values: Any
) -> DesiredRecord:
    children = {"webhook": webhooks} if webhooks else {}
    return DesiredRecord(SERVICE, key, {"friendly_name": key, **values}, id=sid, children=children)


def load(*services: str) -> int:
    text = "version: 1\nservices:\n" + "".join(f"  - {{{service}}}\n" for service in services)
    return len(load_sources([("a.yaml", text.encode())], {}).services)


def test_the_config_accepts_a_name_shared_by_services_pinned_apart() -> None:
    assert load(f"friendly_name: T, sid: {SID_A}", f"friendly_name: T, sid: {SID_B}") == 2


@pytest.mark.parametrize("order", ["pinned first", "unpinned first"])
def test_an_unpinned_service_may_not_share_a_name(order: str) -> None:
    services = [f"friendly_name: T, sid: {SID_A}", "friendly_name: T"]
    if order == "unpinned first":
        services.reverse()
    with pytest.raises(ConfigError) as error:
        load(*services)
    assert "a.yaml:4:21: services[1].friendly_name: duplicate service 'T'; first written at a.yaml:3:" in str(
        error.value
    )


def test_the_same_sid_twice_is_still_a_duplicate() -> None:
    with pytest.raises(ConfigError, match="duplicate service sid"):
        load(f"friendly_name: T, sid: {SID_A}", f"friendly_name: U, sid: {SID_A}")


def test_namesakes_pinned_apart_are_addressed_by_sid_with_their_own_ids() -> None:
    old_hook = live(WEBHOOK, "w", "YW1", webhook_url="https://old.example")
    lives = [live(SERVICE, "T", SID_A, code_length=4), live(SERVICE, "T", SID_B, (old_hook,), code_length=4)]
    new_hook = DesiredRecord(WEBHOOK, "w", {"friendly_name": "w", "webhook_url": "https://new.example"})
    desired = [want("T", SID_A, code_length=6), want("T", SID_B, (new_hook,), code_length=4)]
    plan = make_plan(desired, lives)
    assert [(c.action, str(c.address), c.id) for c in plan.changes] == [
        (Action.UPDATE, f"service[{SID_A}]", SID_A),
        (Action.UPDATE, f"service[{SID_B}]/webhook[w]", "YW1"),
    ]
    assert plan.ids[Address.parse(f"service[{SID_A}]")] == SID_A
    assert plan.ids[Address.parse(f"service[{SID_B}]")] == SID_B
    targeted = make_plan(desired, lives, targets=[Address.parse(f"service[{SID_B}]")])
    assert [str(c.address) for c in targeted.changes] == [f"service[{SID_B}]/webhook[w]"]
    needs = Scope.of(desired, lives, targets=[Address.parse(f"service[{SID_B}]")]).children_to_read()
    assert needs == {SID_B: frozenset({"webhook"})}


def test_a_pinned_service_and_its_unmanaged_namesake_keep_their_own_ids() -> None:
    # Before, the unmanaged namesake, listed last, took over the shared address and so its id.
    lives = [live(SERVICE, "T", SID_A), live(SERVICE, "T", SID_B)]
    desired = [want("T", SID_A, (DesiredRecord(WEBHOOK, "w", {"friendly_name": "w"}),))]
    plan = make_plan(desired, lives)
    [change] = plan.changes
    assert (change.action, str(change.address), str(change.parent)) == (
        Action.CREATE,
        f"service[{SID_A}]/webhook[w]",
        f"service[{SID_A}]",
    )
    assert plan.ids[Address.parse(f"service[{SID_A}]")] == SID_A
    pruned = make_plan(desired, lives, prune=True)
    assert (Action.DELETE, f"service[{SID_B}]") in [(c.action, str(c.address)) for c in pruned.changes]


def test_a_name_nobody_shares_is_still_the_address() -> None:
    plan = make_plan([want("T", code_length=6)], [live(SERVICE, "T", SID_A, code_length=4)])
    assert [str(c.address) for c in plan.changes] == ["service[T]"]
