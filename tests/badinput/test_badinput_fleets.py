"""Bad fleet input, key by key: a clear error, its exit code, and nothing written to any account."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.badinput.outcome import run_and_check
from verifyctl.emulator import EmulatorServer

SERVICES = """\
version: 1
services:
  - friendly_name: "${MEMBER_NAME} Login"
    environments: [tenants]
"""


# Stands for the emulator's account, the fleet's parent, until a case runs.
PARENT = "__PARENT__"


def fleet(extra: str = "", select: str = '{friendly_name: "tenant-*"}', parent: str = "") -> str:
    return f"""\
version: 1
environments:
  tenants:
    subaccounts_of:
      account_sid: {parent or PARENT}
      credentials: {{auth_token_env: PARENT_TOKEN}}
    select: {select}
{extra}"""


@pytest.fixture(scope="module")
def parent(emulator: EmulatorServer) -> Iterator[str]:
    """The emulator's account as a parent of tenant-a and tenant-b; its token in PARENT_TOKEN."""
    sid, token = emulator.accounts[0]
    for name in ("tenant-a", "tenant-b"):
        made = requests.post(
            f"{emulator.base_url}/2010-04-01/Accounts.json", data={"FriendlyName": name}, auth=(sid, token)
        )
        made.raise_for_status()
    os.environ["PARENT_TOKEN"] = token
    try:
        yield sid
    finally:
        os.environ.pop("PARENT_TOKEN", None)


# (the environments file, extra files, the command's words, exit code, what the error says)
CASES = {
    "a fleet with an account of its own": (
        fleet("    account_sid: AC" + "1" * 32 + "\n"),
        {},
        ["plan", "--env", "tenants"],
        1,
        "account_sid: a fleet (subaccounts_of) has no account of its own",
    ),
    "select without a fleet": (
        "version: 1\nenvironments:\n  one:\n    account_sid: AC"
        + "1" * 32
        + "\n    credentials: {auth_token_env: T}\n    select: {status: active}\n",
        {},
        ["validate"],
        1,
        "select: only a fleet (subaccounts_of) selects members",
    ),
    "a status no subaccount has": (fleet(select="{status: closed}"), {}, ["validate"], 1, "select.status"),
    "an empty glob": (fleet(select='{friendly_name: ""}'), {}, ["validate"], 1, "select.friendly_name"),
    "a glob past its length": (
        fleet(select="{friendly_name: " + "x" * 129 + "}"),
        {},
        ["validate"],
        1,
        "select.friendly_name",
    ),
    "a parent SID that is none": (fleet(parent="AC123"), {}, ["validate"], 1, "subaccounts_of.account_sid"),
    "a misspelt key under subaccounts_of": (
        fleet().replace("credentials: {auth_token_env", "credential: {auth_token_env"),
        {},
        ["validate"],
        1,
        "subaccounts_of.credential",
    ),
    "the parent's token written in the file": (
        fleet().replace("{auth_token_env: PARENT_TOKEN}", "{auth_token: abc}"),
        {},
        ["validate"],
        1,
        "a secret is never written in the file",
    ),
    "a cap of no service": (
        fleet().replace("PARENT_TOKEN}\n", "PARENT_TOKEN}\n      max_services: 0\n"),
        {},
        ["validate"],
        1,
        "subaccounts_of.max_services",
    ),
    "a built-in variable set in vars": (
        fleet("    vars: {MEMBER_SID: AC00}\n"),
        {},
        ["validate"],
        1,
        "MEMBER_SID is built in for fleet members",
    ),
    "a member_vars file that does not exist": (
        fleet("    member_vars: missing.vars\n"),
        {},
        ["plan", "--env", "tenants"],
        1,
        "cannot read the member variables file",
    ),
    "a member_vars file outside the configuration's directory": (
        fleet("    member_vars: ../outside.vars\n"),
        {"../outside.vars": "tenant-a: {A: 1}\n"},
        ["plan", "--env", "tenants"],
        1,
        "cannot read the member variables file",
    ),
    "a member_vars file that is a list": (
        fleet("    member_vars: m.vars\n"),
        {"m.vars": "- tenant-a\n"},
        ["validate"],
        1,
        "a member variables file is a YAML mapping of MEMBER: {NAME: value}",
    ),
    "a member's variables that are a list": (
        fleet("    member_vars: m.vars\n"),
        {"m.vars": "tenant-a: [1, 2]\n"},
        ["validate"],
        1,
        "tenant-a: a member's variables are a mapping of NAME: value",
    ),
    "a member variable that is no name": (
        fleet("    member_vars: m.vars\n"),
        {"m.vars": 'tenant-a: {"not a name": 1}\n'},
        ["validate"],
        1,
        "tenant-a: not a name: not a variable name",
    ),
    "a built-in variable set for a member": (
        fleet("    member_vars: m.vars\n"),
        {"m.vars": "tenant-a: {MEMBER_NAME: x}\n"},
        ["validate"],
        1,
        "tenant-a: MEMBER_NAME is built in for the members of a fleet; it cannot be set",
    ),
    "a member_vars key that names no subaccount": (
        fleet("    member_vars: m.vars\n"),
        {"m.vars": "tenant-a: {A: 1}\ntenant-z: {A: 2}\n"},
        ["plan", "--env", "tenants"],
        1,
        "m.vars: tenant-z: no subaccount of fleet tenants has that friendly name or SID",
    ),
    "MEMBER_NAME outside a fleet": (
        "version: 1\nenvironments:\n  one:\n    account_sid: AC"
        + "1" * 32
        + "\n    credentials: {auth_token_env: T}\n",
        {"services.yaml": SERVICES.replace("[tenants]", "[one]")},
        ["validate"],
        1,
        "MEMBER_NAME is built in for the members of a fleet (an environment with subaccounts_of) only",
    ),
    "--var of a built-in variable": (
        fleet(),
        {},
        ["plan", "--env", "tenants", "--var", "MEMBER_NAME=x"],
        64,
        "--var MEMBER_NAME: MEMBER_NAME is built in for the members of a fleet; it cannot be set",
    ),
    "--shard of no fleet": (
        "version: 1\nenvironments:\n  one:\n    account_sid: AC"
        + "1" * 32
        + "\n    credentials: {auth_token_env: T}\n",
        {"services.yaml": "version: 1\n"},
        ["plan", "--env", "one", "--shard", "1/2"],
        64,
        "--shard 1/2: shards share the members of a fleet; name one with --env FLEET (none is declared)",
    ),
    "--shard that is no share": (
        fleet(),
        {},
        ["plan", "--env", "tenants", "--shard", "3/2"],
        64,
        "--shard 3/2",
    ),
    "--local over a fleet": (
        fleet(),
        {},
        ["plan", "--env", "tenants", "--local"],
        64,
        "--local is one account",
    ),
    "a member of no fleet": (
        "version: 1\nenvironments:\n  one:\n    account_sid: AC"
        + "1" * 32
        + "\n    credentials: {auth_token_env: T}\n",
        {"services.yaml": "version: 1\n"},
        ["plan", "--env", "one/x"],
        64,
        "one is not a fleet",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_fleet_input(emulator: EmulatorServer, parent: str, case: str, tmp_path: Path) -> None:
    environments, extra, words, code, says = CASES[case]
    directory = tmp_path / "config"
    directory.mkdir()
    (directory / "environments.yaml").write_text(environments.replace(PARENT, parent), encoding="utf-8")
    (directory / "services.yaml").write_text(SERVICES, encoding="utf-8")
    for name, text in extra.items():
        (directory / name).write_text(text, encoding="utf-8")
    before = sorted(p.name for p in directory.rglob("*"))
    run = run_and_check(emulator, "fleets", *words, str(directory))
    assert run.exit_code == code, run.stderr
    assert says in run.stderr
    assert sorted(p.name for p in directory.rglob("*")) == before  # nothing written
    assert not [r for r in emulator.requests() if r["method"] in ("POST", "DELETE")]
