"""Which `Host` values name the emulator, and which names an operator may list."""

from __future__ import annotations

import pytest

from verifyctl.emulator.hosts import accepted_host_names, check_host_name, host_accepted

LOOPBACK = accepted_host_names("127.0.0.1", "127.0.0.1", [])


@pytest.mark.parametrize(
    "header",
    [
        "localhost",
        "LocalHost.:8765",
        "127.0.0.1",
        "127.0.0.1:1",
        "[::1]",
        "[::1]:8765",
        "10.0.0.1",
        "::1",
        "127.1:8765",
        "0x7f.1",
        "2130706433",
    ],
)
def test_its_own_names_and_ip_literals_pass(header: str) -> None:
    assert host_accepted(header, LOOPBACK)


@pytest.mark.parametrize(
    "header",
    [
        "attacker.example",
        "attacker.example:8765",
        "localhost.attacker.example",
        "[::1",
        "",
        ":8765",
        "[]",
        "127.1.attacker.example",
        "1.2.3.4.5",
        "0xzz",
        "1.2.3.4 x",
    ],
)
def test_other_names_and_garbled_values_are_refused(header: str) -> None:
    assert not host_accepted(header, LOOPBACK)


def test_every_interface_without_listed_names_accepts_any_name() -> None:
    assert accepted_host_names("0.0.0.0", "build-box", []) is None
    assert accepted_host_names("::", "build-box", []) is None


def test_listed_names_are_normalised_and_added() -> None:
    names = accepted_host_names("0.0.0.0", "build-box", ["Verify-Emulator.", "emu.example"])

    assert names == frozenset({"localhost", "0.0.0.0", "build-box", "verify-emulator", "emu.example"})
    assert host_accepted("VERIFY-EMULATOR:8765", names) and not host_accepted("other", names)


def test_the_empty_wildcard_address_never_makes_an_empty_host_pass() -> None:
    names = accepted_host_names("", "", ["emu"])

    assert names is not None and "" not in names
    assert not host_accepted("", names) and not host_accepted("[", names)


@pytest.mark.parametrize("name", ["", " ", "evil/x", "a b", "user@host", "*.example", "-leading", "x" * 300])
def test_a_bad_listed_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a host name to accept in Host"):
        check_host_name(name)
