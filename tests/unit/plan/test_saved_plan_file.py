"""A saved plan file is hostile: any mangled shape is a ValueError naming the key, and no plan it reads
compares equal to the one it came from unless its changes are those changes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.plan.saved import differences, saved_plan_of
from verifyctl.resources.addresses import Address

SERVICE = Address.parse("service[Acme Login]")
HOOK = SERVICE.child("webhook", "audit")


def original() -> Plan:
    after = {"friendly_name": "Acme Login", "code_length": 7}
    hook = {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://u:p@h.example/a?t=1"}
    return Plan(
        changes=(
            Change(
                SERVICE,
                Action.UPDATE,
                {**after, "code_length": 6},
                after,
                ("code_length",),
                id="VA" + "1" * 32,
            ),
            Change(HOOK, Action.CREATE, None, hook, tuple(hook)),
        ),
        ids={SERVICE: "VA" + "1" * 32},
        configuration="sha256:" + "0" * 64,
        files=("verifyctl.yaml",),
    ).for_account("AC" + "2" * 32, "local")


DOCUMENT = json.loads(original().to_json())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


PATHS = paths(DOCUMENT)


def mangled(document: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), JSON, st.booleans())
def test_a_mangled_plan_is_refused_or_reads_back_to_the_same_changes(
    path: tuple[Any, ...], value: Any, delete: bool
) -> None:
    document = mangled(DOCUMENT, path, value, delete and bool(path))
    try:
        saved = saved_plan_of(json.loads(json.dumps(document)))
    except ValueError as error:
        assert str(error) and "\n" not in str(error)
        return
    if not differences(saved.plan, original()):
        assert saved.plan.changes == original().masked().changes


def test_the_plan_reads_back_as_it_was() -> None:
    saved = saved_plan_of(DOCUMENT)
    assert differences(saved.plan, original()) == []
    assert saved.is_for("AC" + "2" * 32, "local")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((), [], "the plan must be a JSON object, not an array"),
        (("changes",), {}, "changes must be a JSON array, not an object"),
        (("changes", 0, "action"), "upsert", 'changes[0].action is "upsert", not one of create, update'),
        (("changes", 0, "address"), "service[", "changes[0].address is not an object address"),
        (("changes", 1, "kind"), "service", "changes[1].kind is \"service\", not 'webhook'"),
        (("changes", 1, "after"), [1], "changes[1].after must be a JSON object, not an array"),
        (("ids",), {"service[A]": 1}, "ids['service[A]'] must be a string, not a number"),
        (("account",), None, "account must be a JSON object, not null"),
        (("configuration", "files"), ["a\u0000b"], "configuration.files[0] is not a file name"),
        (("targets",), ["nope"], "targets[0] is not an object address"),
        (("environment",), "prod\nuction", "environment is not an environment name"),
    ],
)
def test_each_wrong_key_is_named(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        saved_plan_of(mangled(DOCUMENT, path, value, delete=False))
    assert str(raised.value).startswith(message)
