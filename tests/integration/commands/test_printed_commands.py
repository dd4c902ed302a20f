"""Every command a hint prints works as printed: each is taken from the output and run, in a shell."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import run_cli
from verifyctl.cli.emulator_cmd import _print_banner
from verifyctl.emulator import EmulatorServer

SERVICE = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
"""


def hinted(stderr: str, lead: str) -> str:
    """What follows `lead` on the line of stderr that holds it."""
    line = next(line for line in stderr.splitlines() if lead in line)
    return line.split(lead, 1)[1]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `command` with `sh`, `verifyctl` on PATH being this checkout's, no account in the environment."""
    bin_dir = cwd.parent / f"{cwd.name}-bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "verifyctl"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m verifyctl "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    environ = {**keep, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    return subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_hint_after_a_local_plan_out_applies_it(workdir: Path) -> None:
    config = workdir / "-my verify `touch pwned`"
    config.mkdir()
    (config / "login.yaml").write_text(SERVICE, encoding="utf-8")
    planned = run_cli("plan", "--local", "-o", "plan file.json", "--no-color", "--", config.name)
    assert planned.exit_code == 0, planned.stderr
    command = hinted(planned.stderr, "apply it with: ")
    assert "--local" in command
    applied = shell(command, workdir)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 1 applied" in applied.stdout
    assert not (workdir / "pwned").exists()


def test_the_schema_hint_of_import_writes_the_schema(account: EmulatorServer, workdir: Path) -> None:
    imported = run_cli("import", "-o", "verifyctl.yaml")
    assert imported.exit_code == 0, imported.stderr
    command = hinted(imported.stderr, "write it with `").split("`", 1)[0]
    written = shell(command, workdir)
    assert written.returncode == 0, written.stderr
    assert (workdir / "schemas" / "verifyctl.schema.json").read_text(encoding="utf-8").startswith("{")


def test_the_banner_of_an_emulator_in_a_container_points_verifyctl_at_it(
    emulator: EmulatorServer, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As in a compose file: the emulator listens on every interface and is reached by a host name that
    # is not loopback to verifyctl. `127.1` is such a name that still reaches this test's emulator.
    sid, token = emulator.accounts[0]
    shown = EmulatorServer(
        host="0.0.0.0",
        port=emulator.port,
        accounts=[(sid, token)],
        public_url=f"http://127.1:{emulator.port}",
    )
    try:
        _print_banner(shown, None, generated=True, api_keys=[], admin_given=False)
    finally:
        shown.stop()
    banner = capsys.readouterr().out.splitlines()
    exports = [line.strip() for line in banner if line.startswith("  export ")]
    (workdir / "login.yaml").write_text(SERVICE, encoding="utf-8")
    planned = shell(" && ".join([*exports, "verifyctl plan --detailed-exitcode login.yaml"]), workdir)
    assert planned.returncode == 2, planned.stderr
    assert "+ service[Acme Login]" in planned.stdout
    # The same URL without the opt-in is refused before any request, and says how to opt in.
    emulator.clear_requests()
    without = [line for line in exports if "ALLOW_HTTP_HOSTS" not in line]
    refused = shell(" && ".join([*without, "verifyctl plan login.yaml"]), workdir)
    assert refused.returncode == 64, refused.stderr
    assert "--allow-http-host 127.1" in refused.stderr
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("flag", "variable"),
    [
        (["--allow-http-host", "http://127.1"], ""),
        (["--allow-http-host", "127.1:80"], ""),
        ([], "127.1,*"),
        ([], "127.1,"),
    ],
)
def test_a_trusted_host_that_is_not_a_bare_host_is_refused(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch, flag: list[str], variable: str
) -> None:
    (workdir / "login.yaml").write_text(SERVICE, encoding="utf-8")
    monkeypatch.setenv("VERIFYCTL_ALLOW_HTTP_HOSTS", variable)
    monkeypatch.setenv("VERIFYCTL_API_URL", account.base_url.replace("127.0.0.1", "127.1"))
    account.clear_requests()
    run = run_cli("plan", *flag, "login.yaml")
    assert run.exit_code == 64, run.stderr
    assert ("--allow-http-host" if flag else "VERIFYCTL_ALLOW_HTTP_HOSTS entry") in run.stderr
    assert account.requests() == []


def test_a_trusted_host_opens_an_environments_http_api_url(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid, token = account.accounts[0]
    monkeypatch.delenv("VERIFYCTL_API_URL")
    monkeypatch.setenv("CI_TOKEN", token)
    url = account.base_url.replace("127.0.0.1", "127.1")
    (workdir / "environments.yaml").write_text(
        f"version: 1\nenvironments:\n  ci:\n    account_sid: {sid}\n    api_url: {url}\n"
        "    credentials: {auth_token_env: CI_TOKEN}\n",
        encoding="utf-8",
    )
    (workdir / "login.yaml").write_text(SERVICE, encoding="utf-8")
    refused = run_cli("plan", ".", "--env", "ci")
    assert refused.exit_code == 64, refused.stderr
    allowed = run_cli("plan", ".", "--env", "ci", "--allow-http-host", "127.1", "--detailed-exitcode")
    assert allowed.exit_code == 2, allowed.stderr


def test_the_emulator_serve_hint_starts_one_where_the_url_points(workdir: Path) -> None:
    # A port that was bound and let go: nothing listens there now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    missing = run_cli("emulator", "messages", "--api-url", url)
    assert missing.exit_code == 1
    command = hinted(missing.stderr, "start one with `").split("`", 1)[0]
    assert command.startswith("verifyctl emulator serve")
    bin_dir = workdir.parent / f"{workdir.name}-bin"
    shell("true", workdir)  # writes the verifyctl wrapper
    environ = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    server = subprocess.Popen(
        ["sh", "-c", f"exec {command}"], cwd=workdir, env=environ, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        # The control endpoints need credentials: the banner's last line exports the admin token.
        for line in server.stdout:
            if line.startswith("  export VERIFYCTL_EMULATOR_ADMIN_TOKEN="):
                break
        found = shell(f"{line.strip()} && verifyctl emulator messages --api-url {url}", workdir)
        assert found.returncode == 0, found.stderr
        assert "No messages." in found.stderr
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)


def test_the_plan_out_hint_repeats_api_url_and_trusted_hosts_but_never_a_var_value(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "login.yaml").write_text(SERVICE.replace("Acme Login", "${NAME}"), encoding="utf-8")
    monkeypatch.delenv("VERIFYCTL_API_URL")
    url = account.base_url.replace("127.0.0.1", "127.1")
    given = ["--api-url", url, "--allow-http-host", "127.1"]
    planned = run_cli("plan", *given, "--var", "NAME=Sekrit Login", "-o", "p.json", "login.yaml")
    assert planned.exit_code == 0, planned.stderr
    hint = hinted(planned.stderr, "apply it with: ")
    assert "Sekrit" not in hint and hint.endswith(" (with the same --var options)")
    command = shlex.split(hint.removesuffix(" (with the same --var options)"))
    assert command[-1] == "login.yaml" and url in command and "127.1" in command
    applied = run_cli(*command[1:], "--var", "NAME=Sekrit Login")
    assert applied.exit_code == 0, applied.stderr
    assert "Apply complete: 1 applied" in applied.stdout


def test_emulator_messages_sends_credentials_over_http_only_to_a_trusted_host(
    account: EmulatorServer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERIFYCTL_ALLOW_HTTP_HOSTS", raising=False)
    url = account.base_url.replace("127.0.0.1", "127.1")
    account.clear_requests()
    refused = run_cli("emulator", "messages", "--api-url", url)
    assert refused.exit_code == 64, refused.stderr
    assert "--allow-http-host 127.1" in refused.stderr
    assert account.requests() == []
    allowed = run_cli("emulator", "messages", "--api-url", url, "--allow-http-host", "127.1")
    assert allowed.exit_code == 0, allowed.stderr
    assert "No messages." in allowed.stderr


def test_a_plan_written_to_stdout_prints_no_apply_command(workdir: Path) -> None:
    (workdir / "login.yaml").write_text(SERVICE, encoding="utf-8")
    run = run_cli("plan", "--local", "--out", "-", "login.yaml")
    assert run.exit_code == 0, run.stderr
    assert "apply it with" not in run.stderr
    assert "Wrote the plan to standard output; apply --plan reads it from a file" in run.stderr
