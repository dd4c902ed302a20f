"""The `emulator serve` banner: a reachable URL for any host, and a loud warning off loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from verifyctl.cli.emulator_cmd import _print_banner
from verifyctl.emulator import EmulatorServer


@pytest.fixture
def unstarted() -> Iterator[list[EmulatorServer]]:
    """Servers built but never started: the banner needs no bind, and tests listen on loopback only."""
    made: list[EmulatorServer] = []
    yield made
    for server in made:
        server.stop()


def _banner(
    made: list[EmulatorServer], capsys: pytest.CaptureFixture[str], **kwargs: object
) -> tuple[list[str], str, EmulatorServer]:
    server = EmulatorServer(port=8765, **kwargs)  # type: ignore[arg-type]
    made.append(server)
    _print_banner(server, None, generated=True, api_keys=[], admin_given=False)
    out, err = capsys.readouterr()
    return out.splitlines(), err, server


def test_every_interface_prints_this_machines_name_and_warns(
    unstarted: list[EmulatorServer], capsys: pytest.CaptureFixture[str]
) -> None:
    lines, err, server = _banner(unstarted, capsys, host="0.0.0.0")

    url = f"http://{socket.gethostname()}:8765"
    assert lines[0] == f"Verify emulator listening on {url}"
    assert lines[1] == "  listening on 0.0.0.0; from this machine: http://127.0.0.1:8765"
    assert f"  export VERIFYCTL_API_URL={url}" in lines
    assert f"Admin token: {server.admin_token}" in lines
    assert "WARNING: the emulator listens on 0.0.0.0, which other machines can reach." in err
    assert "Control endpoints need credentials" in err


def test_a_given_address_is_printed_as_is(
    unstarted: list[EmulatorServer], capsys: pytest.CaptureFixture[str]
) -> None:
    lines, err, _ = _banner(unstarted, capsys, host="192.0.2.10")
    v6_lines, _, _ = _banner(unstarted, capsys, host="2001:db8::1")

    assert lines[0] == "Verify emulator listening on http://192.0.2.10:8765"
    assert v6_lines[0] == "Verify emulator listening on http://[2001:db8::1]:8765"
    assert "WARNING" in err


def test_a_public_url_is_what_the_banner_prints(
    unstarted: list[EmulatorServer], capsys: pytest.CaptureFixture[str]
) -> None:
    lines, _, _ = _banner(unstarted, capsys, host="0.0.0.0", public_url="http://emulator:8765")

    assert lines[0] == "Verify emulator listening on http://emulator:8765"
    assert "  export VERIFYCTL_API_URL=http://emulator:8765" in lines


def test_loopback_has_no_warning_and_prints_the_admin_token_and_its_export(
    unstarted: list[EmulatorServer], capsys: pytest.CaptureFixture[str]
) -> None:
    lines, err, server = _banner(unstarted, capsys, host="127.0.0.1")

    assert lines[0] == "Verify emulator listening on http://127.0.0.1:8765"
    assert "WARNING" not in err
    assert f"Admin token: {server.admin_token}" in lines
    assert lines[-1] == f"  export VERIFYCTL_EMULATOR_ADMIN_TOKEN={server.admin_token}"


def test_loopback_with_open_control_prints_no_admin_token(
    unstarted: list[EmulatorServer], capsys: pytest.CaptureFixture[str]
) -> None:
    lines, _, _ = _banner(unstarted, capsys, host="127.0.0.1", open_control=True)

    assert "Control endpoints (/__emulator__/*) need no credentials (--open-control)." in lines
    assert not any("ADMIN_TOKEN" in line or line.startswith("Admin token") for line in lines)
