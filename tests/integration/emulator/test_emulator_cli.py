"""`verifyctl emulator serve` and `verifyctl emulator messages`, run as a user runs them."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from tests.integration.emulator.support import PHONE, Api, make_read_only_database
from verifyctl.cli.emulator_cmd import emulator_group
from verifyctl.emulator import LOCAL_DB_PATH, EmulatorServer
from verifyctl.errors import VerifyctlError

REPO = Path(__file__).resolve().parents[3]
# `emulator serve` without the top-level `verifyctl` group (the lead registers the command there).
SERVE = (
    "import sys; from verifyctl.cli.emulator_cmd import emulator_group; "
    "emulator_group(['serve', *sys.argv[1:]])"
)
# What a shell does to a command started with `&`: it starts with SIGINT ignored.
SERVE_IN_BACKGROUND = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); " + SERVE


def _start_serve(
    *args: str, background: bool = False, max_files: int | None = None
) -> tuple[subprocess.Popen[str], list[str]]:
    """Run `emulator serve` in a child process; return it and its banner lines (up to the export lines)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def limit_files() -> None:
        if max_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))

    process = subprocess.Popen(
        [sys.executable, "-u", "-c", SERVE_IN_BACKGROUND if background else SERVE, *args],
        preexec_fn=limit_files,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner: list[str] = []
    # The banner's last line: the generated admin token's export, unless control is open or the token given.
    token_printed = "--open-control" not in args and "--admin-token" not in args
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if token_printed:
            if line.startswith("  export VERIFYCTL_EMULATOR_ADMIN_TOKEN"):
                break
        elif line.startswith("  export TWILIO_AUTH_TOKEN") or (
            line.startswith("  export TWILIO_ACCOUNT_SID") and "--account" in args
        ):
            break
    return process, banner


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    return process.returncode, stderr


def test_serve_prints_url_and_credentials_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    process, banner = _start_serve("--port", "0", "--db", str(tmp_path / "e.sqlite3"))
    try:
        url = re.fullmatch(r"Verify emulator listening on (http://127\.0\.0\.1:\d+)", banner[0])
        assert url is not None, banner
        account = re.search(r"Account: (AC[0-9a-f]{32})  auth token: ([0-9a-f]{32})", "\n".join(banner))
        assert account is not None, banner
        assert f"  export VERIFYCTL_API_URL={url.group(1)}" in banner

        api = Api(url.group(1), (account.group(1), account.group(2)))
        assert api.service("From The CLI")["friendly_name"] == "From The CLI"
    finally:
        code, stderr = _stop(process)
    assert code == 0
    assert "Emulator stopped." in stderr and "Traceback" not in stderr


def test_serve_keeps_a_given_token_out_of_its_output() -> None:
    account = "AC" + "7" * 32
    process, banner = _start_serve("--port", "0", "--account", f"{account}:super-secret-token")
    try:
        assert f"Account: {account}  auth token: (as given)" in banner
        url = banner[0].rsplit(" ", 1)[1]
        assert Api(url, (account, "super-secret-token")).get("/v2/Services").status_code == 200
    finally:
        code, stderr = _stop(process)
    assert code == 0
    assert "super-secret-token" not in "\n".join(banner) + stderr


def test_serve_names_each_account_and_serves_its_account_resource() -> None:
    named, plain = "AC" + "5" * 32, "AC" + "6" * 32
    process, banner = _start_serve(
        "--port", "0", "--account", f"{named}:tok-1:Acme: Production", "--account", f"{plain}:tok-2"
    )
    try:
        assert banner[banner.index(f"Account: {named}  auth token: (as given)") + 1] == (
            "  friendly name: Acme: Production"
        )
        assert banner[banner.index(f"Account: {plain}  auth token: (as given)") + 1] == (
            "  friendly name: Emulator account 2"
        )
        url = banner[0].rsplit(" ", 1)[1]
        body = Api(url, (named, "tok-1")).get(f"/2010-04-01/Accounts/{named}.json").json()
        assert body["friendly_name"] == "Acme: Production"
    finally:
        code, _ = _stop(process)
    assert code == 0


def test_serve_prints_an_admin_token_that_works_and_messages_reads_it_from_the_export() -> None:
    account = "AC" + "7" * 32
    process, banner = _start_serve("--port", "0", "--account", f"{account}:tok")
    try:
        token = next(line.split(": ", 1)[1] for line in banner if line.startswith("Admin token: "))
        assert f"  export VERIFYCTL_EMULATOR_ADMIN_TOKEN={token}" in banner
        url = banner[0].rsplit(" ", 1)[1]
        messages = url + "/__emulator__/messages"
        assert requests.get(messages, timeout=10).status_code == 401
        admin = {"Authorization": f"Bearer {token}"}
        assert requests.get(messages, headers=admin, timeout=10).json() == {"messages": []}
        exported = {"VERIFYCTL_API_URL": url, "VERIFYCTL_EMULATOR_ADMIN_TOKEN": token}
        listed = CliRunner().invoke(emulator_group, ["messages"], env=exported)
        assert (listed.exit_code, listed.output) == (0, "No messages.\n")
    finally:
        code, _ = _stop(process)
    assert code == 0


def test_serve_with_open_control_needs_no_credentials_and_says_so() -> None:
    process, banner = _start_serve("--port", "0", "--open-control")
    try:
        assert "Control endpoints (/__emulator__/*) need no credentials (--open-control)." in banner
        assert not any(line.startswith("Admin token") or "ADMIN_TOKEN" in line for line in banner)
        url = banner[0].rsplit(" ", 1)[1]
        assert requests.get(url + "/__emulator__/messages", timeout=10).json() == {"messages": []}
    finally:
        code, _ = _stop(process)
    assert code == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--open-control", "--host", "0.0.0.0"], "open control endpoints are for loopback only"),
        (["--open-control", "--admin-token", "t"], "open control endpoints are for loopback only"),
        (["--open-control", "--control-auth"], "--open-control and --control-auth contradict each other"),
        (["--allowed-host", "evil/x"], "not a host name to accept in Host: 'evil/x'"),
        (["--request-timeout", "0"], "--request-timeout"),
        (["--max-head-bytes", "100"], "--max-head-bytes"),
    ],
)
def test_serve_refuses_contradicting_or_bad_security_options(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(emulator_group, ["serve", "--port", "0", *arguments])

    assert result.exit_code == 2, result.output
    assert message in result.output


def test_1100_idle_connections_under_ulimit_1024_cannot_stop_it_answering() -> None:
    process, banner = _start_serve("--port", "0", "--idle-timeout", "1", max_files=1024)
    crowd: list[socket.socket] = []
    try:
        url = banner[0].rsplit(" ", 1)[1]
        port = int(url.rsplit(":", 1)[1])
        crowd = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(1100)]
        answers = [_read_until_closed(sock) for sock in crowd]
        # Every connection ended: beyond the default cap of 512 with a 503, the rest at their idle timeout.
        assert sum(answer == b"" for answer in answers) >= 512
        assert all(answer == b"" or answer.startswith(b"HTTP/1.1 503 ") for answer in answers)
        token = next(line.split()[-1] for line in banner if line.startswith("Account: "))
        sid = next(line.split()[1] for line in banner if line.startswith("Account: "))
        assert requests.get(url + "/v2/Services", auth=(sid, token), timeout=30).status_code == 200
    finally:
        for sock in crowd:
            sock.close()
        code, stderr = _stop(process)
    assert code == 0 and "Traceback" not in stderr


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(4096):
            received += chunk
    return received


@pytest.mark.parametrize(
    ("signum", "background"),
    [(signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["sigterm", "ctrl-c-after-shell-background"],
)
def test_serve_stops_cleanly_on_signals(signum: signal.Signals, background: bool) -> None:
    process, _ = _start_serve("--port", "0", background=background)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0 and "Emulator stopped." in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "AC123:token"], "expected SID:TOKEN"),
        (["--account", "AC" + "1" * 32], "expected SID:TOKEN"),
        (["--api-key", "SK" + "1" * 32 + ":secret"], "expected KEY_SID:SECRET:ACCOUNT_SID"),
        (["--api-key", "SK1:secret:AC" + "1" * 32], "expected KEY_SID:SECRET:ACCOUNT_SID"),
        (["--api-key", "SK" + "1" * 32 + ":secret:AC" + "1" * 32 + ":readonly"], "[:read-only|:main]"),
        (["--api-key", "SK" + "1" * 32 + ":secret:AC" + "1" * 32 + ":read-only:x"], "[:read-only|:main]"),
        (["--error-rate", "1.5"], "--error-rate"),
        (["--port", "70000"], "--port"),
        (["--latency-ms", "-5"], "--latency-ms"),
    ],
)
def test_serve_refuses_bad_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(emulator_group, ["serve", *args])

    assert result.exit_code == 2
    assert message in result.output


def test_serve_on_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = CliRunner().invoke(emulator_group, ["serve", "--port", str(port)])

    assert isinstance(result.exception, VerifyctlError)
    assert str(result.exception).startswith(f"cannot listen on 127.0.0.1:{port}:")


def test_serve_with_a_database_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database, just some text " * 100)

    result = CliRunner().invoke(emulator_group, ["serve", "--port", "0", "--db", str(tmp_path / "notes.txt")])

    assert isinstance(result.exception, VerifyctlError)
    assert str(result.exception).startswith(f"cannot use {tmp_path / 'notes.txt'} as the emulator database:")


def _send_one(server: EmulatorServer) -> str:
    api = Api(server.base_url, server.accounts[0])
    service = api.service("Acme Login")["sid"]
    api.create(f"/v2/Services/{service}/Verifications", {"To": PHONE, "Channel": "sms"})
    api.create(f"/v2/Services/{service}/Verifications", {"To": "+15550000002", "Channel": "call"})
    return service


def test_messages_from_a_running_emulator(emulator: EmulatorServer) -> None:
    _send_one(emulator)

    everything = CliRunner().invoke(
        emulator_group,
        ["messages", "--api-url", emulator.base_url, "--admin-token", str(emulator.admin_token)],
    )
    sid, token = emulator.accounts[0]
    own = {"VERIFYCTL_API_URL": emulator.base_url, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    filtered = CliRunner().invoke(emulator_group, ["messages", "--to", PHONE], env=own)

    assert everything.exit_code == 0, everything.output
    lines = everything.output.splitlines()
    assert len(lines) == 2
    date, rest = lines[0].split("  ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", date)
    assert re.fullmatch(r"sms      \+15017122661  Your Acme Login verification code is: \d{6}", rest)
    assert "call     +15550000002" in lines[1]
    assert filtered.output.splitlines() == lines[:1]


def test_messages_from_the_local_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with EmulatorServer(db_path=LOCAL_DB_PATH) as server:
        _send_one(server)
        expected = server.messages(to=PHONE)

    result = CliRunner().invoke(emulator_group, ["messages", "--local", "--to", PHONE])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{expected[0]['date_created']}  sms      {PHONE}  {expected[0]['body']}"
    ]


def test_no_messages_says_so(emulator: EmulatorServer) -> None:
    env = {"VERIFYCTL_EMULATOR_ADMIN_TOKEN": str(emulator.admin_token)}
    result = CliRunner().invoke(emulator_group, ["messages", "--api-url", emulator.base_url], env=env)

    assert result.exit_code == 0 and result.output == "No messages.\n"


def test_messages_without_local_state_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(emulator_group, ["messages", "--local"])

    assert isinstance(result.exception, VerifyctlError)
    assert str(result.exception).startswith("no local emulator state in .verifyctl/local.sqlite3")


def test_messages_from_a_corrupt_local_database_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".verifyctl").mkdir()
    (tmp_path / LOCAL_DB_PATH).write_text("not sqlite")

    result = CliRunner().invoke(emulator_group, ["messages", "--local"])

    assert isinstance(result.exception, VerifyctlError)
    assert "is not an emulator database" in str(result.exception)


def test_messages_from_something_that_is_not_an_emulator(emulator: EmulatorServer) -> None:
    result = CliRunner().invoke(emulator_group, ["messages", "--api-url", emulator.base_url + "/elsewhere"])

    assert isinstance(result.exception, VerifyctlError)
    assert "is not a verifyctl emulator" in str(result.exception)


def test_messages_from_nowhere_is_a_clear_error() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = CliRunner().invoke(emulator_group, ["messages", "--api-url", f"http://127.0.0.1:{port}"])

    assert isinstance(result.exception, VerifyctlError)
    assert str(result.exception).startswith(f"cannot reach the emulator at http://127.0.0.1:{port}")


def test_serve_on_a_read_only_database_fails_at_start_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "ro.sqlite3"
    make_read_only_database(db)

    result = subprocess.run(
        [sys.executable, "-m", "verifyctl", "emulator", "serve", "--port", "0", "--db", str(db)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: cannot use {db} as the emulator database: it is read-only (the emulator keeps its state"
        " there)\n"
    )


def test_local_on_a_read_only_state_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    make_read_only_database(tmp_path / LOCAL_DB_PATH)

    result = subprocess.run(
        [sys.executable, "-m", "verifyctl", "plan", "--local", str(REPO / "examples")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Error: cannot use {LOCAL_DB_PATH} as the local emulator's state: it is read-only (the emulator"
        " keeps its state there)"
    )
