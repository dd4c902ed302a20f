"""Every cause in both hint catalogues, through the CLI: the exact one-line message, its hint, its exit code.

HTTP-layer causes (and each Twilio error code the client maps) are answered by `responses` on a clock
that only moves when the client sleeps; command-line causes run against the emulator or a taken port.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import responses

from tests.integration.conftest import run_cli
from tests.unit.client import faults
from tests.unit.client.support import FakeTime, make_policy
from verifyctl.cli import hints as cli_hints
from verifyctl.client import hints as client_hints
from verifyctl.client import verify_client
from verifyctl.emulator import EmulatorServer

ACCOUNT = "AC" + "a1" * 16
TOKEN = "hint-test-token"
TWILIO = "https://verify.twilio.com"
LOCAL = "http://127.0.0.1:8080"
CONFIG = "version: 1\nservices:\n  - friendly_name: Acme Login\n    code_length: 6\n"
NO_SERVICES = {"json": {"services": [], "meta": {"next_page_url": None, "key": "services"}}}


def twilio_error(status: int, code: int, message: str) -> dict[str, object]:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return {"json": {**body, "status": status}, "status": status}


def more(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


@dataclass(frozen=True)
class HttpCase:
    args: list[str]
    answers: list[dict[str, object]]  # for GET /v2/Services, in order
    expected: str  # the one line on stderr (plan) or the failed line on stdout (apply)
    cause: object
    creates: list[dict[str, object]] = field(default_factory=list)  # for POST /v2/Services
    code: int = 1


GIVE_UP = "gave up after 2 attempts over 0.5 s"
HTTP_CASES: dict[str, HttpCase] = {
    "401 / 20003": HttpCase(
        ["plan"],
        [twilio_error(401, 20003, "Authenticate")],
        f"Error: Authenticate (Twilio error 20003: {more(20003)}); https://verify.twilio.com refused the "
        f"credentials for account {ACCOUNT}: check TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN "
        "(or set TWILIO_API_KEY + TWILIO_API_SECRET instead)",
        client_hints.Cause.AUTHENTICATION,
    ),
    "404 under --api-url ending in /v2": HttpCase(
        ["plan", "--api-url", f"{LOCAL}/v2"],
        [twilio_error(404, 20404, "The requested resource /v2/v2/Services was not found")],
        "Error: The requested resource /v2/v2/Services was not found "
        f"(Twilio error 20404: {more(20404)}); drop the /v2 from --api-url (use http://127.0.0.1:8080)",
        client_hints.Cause.V2_IN_BASE_URL,
    ),
    "connection refused on loopback": HttpCase(
        ["plan", "--api-url", LOCAL],
        [{"body": faults.refused()}] * 2,
        f"Error: GET {LOCAL}/v2/Services: {GIVE_UP}: connection refused; "
        f"nothing listens at {LOCAL}: start `verifyctl emulator serve --port 8080` or use --local",
        client_hints.Cause.REFUSED_ON_LOOPBACK,
    ),
    "DNS failure, not retried": HttpCase(
        ["plan", "--api-url", "https://nohost.invalid"],
        [{"body": faults.dns_failure()}],
        "Error: GET https://nohost.invalid/v2/Services: could not resolve the host name; "
        "check the host in --api-url (nohost.invalid)",
        client_hints.Cause.DNS,
    ),
    "TLS failure, not retried": HttpCase(
        ["plan"],
        [{"body": faults.tls_failure()}],
        f"Error: GET {TWILIO}/v2/Services: TLS handshake failed; "
        "check the certificate of verify.twilio.com, or the CA bundle in REQUESTS_CA_BUNDLE",
        client_hints.Cause.TLS,
    ),
    "read timeouts": HttpCase(
        ["plan"],
        [{"body": faults.read_timeout()}] * 2,
        f"Error: GET {TWILIO}/v2/Services: {GIVE_UP}: no response within 30 s; verify.twilio.com did "
        "not answer in time: check the network and https://status.twilio.com, then rerun",
        client_hints.Cause.TIMEOUT,
    ),
    "429 / 20429 until the retries ran out": HttpCase(
        ["plan"],
        [twilio_error(429, 20429, "Too many requests")] * 2,
        f"Error: GET {TWILIO}/v2/Services: {GIVE_UP}: Too many requests (Twilio error 20429: {more(20429)}); "
        "the account kept throttling: lower --parallelism, or rerun later",
        client_hints.Cause.THROTTLED,
    ),
    "400 / 60200 on a create": HttpCase(
        ["apply", "--auto-approve"],
        [NO_SERVICES],
        f"  failed:  service[Acme Login]: Invalid parameter (Twilio error 60200: {more(60200)}); "
        "fix the configuration: the API refused a value, so a rerun as is fails the same way",
        client_hints.Cause.VALIDATION,
        creates=[twilio_error(400, 60200, "Invalid parameter")],
    ),
    "403 / 70051 on a create: a key that may only read": HttpCase(
        ["apply", "--auto-approve"],
        [NO_SERVICES],
        "Error: the API key cannot write: POST /v2/Services was refused: Authorization Failed "
        f"(Twilio error 70051: {more(70051)}); the credentials in TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN"
        " may only read (enough for plan, show and drift checks): writes need a key with Verify write"
        " permissions; nothing was written",
        client_hints.Cause.READ_ONLY_KEY,
        creates=[twilio_error(403, 70051, "Authorization Failed")],
        code=3,
    ),
    "429 / 60203, final: the API's own words": HttpCase(
        ["apply", "--auto-approve"],
        [NO_SERVICES],
        f"  failed:  service[Acme Login]: Max send attempts reached (Twilio error 60203: {more(60203)})",
        None,
        creates=[twilio_error(429, 60203, "Max send attempts reached")],
    ),
    "429 / 60202, final: the API's own words": HttpCase(
        ["apply", "--auto-approve"],
        [NO_SERVICES],
        f"  failed:  service[Acme Login]: Max check attempts reached (Twilio error 60202: {more(60202)})",
        None,
        creates=[twilio_error(429, 60202, "Max check attempts reached")],
    ),
    "500 / 20500 until the retries ran out": HttpCase(
        ["plan"],
        [twilio_error(500, 20500, "Internal Server Error")] * 2,
        f"Error: GET {TWILIO}/v2/Services: {GIVE_UP}: Internal Server Error "
        f"(Twilio error 20500: {more(20500)}); "
        "verify.twilio.com kept failing: check https://status.twilio.com, then rerun",
        client_hints.Cause.SERVER_ERROR,
    ),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with one service's YAML, credentials of our own, and nothing from the caller's shell."""
    for name in list(os.environ):
        if name.startswith(("TWILIO_", "VERIFYCTL_")) or name in ("NO_COLOR", "TERM"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "verifyctl.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def fake_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTime]:
    """Two attempts, on a clock that moves only by the client's own sleeps: 'over 0.5 s' every time."""
    clock = FakeTime()
    monkeypatch.setattr(verify_client, "RetryPolicy", lambda: make_policy(clock, max_attempts=2))
    yield clock


@pytest.mark.parametrize("case", HTTP_CASES.values(), ids=HTTP_CASES.keys())
def test_each_http_cause_through_the_cli(case: HttpCase, workdir: Path, fake_retries: FakeTime) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        # The account's name is read from another resource meanwhile; it answers, so time stays put.
        mock.get(re.compile(r".*/Accounts/AC\w+\.json"), json={"friendly_name": "Hints"})
        for answer in case.answers:
            mock.add("GET", re.compile(r".*/v2/Services(\?.*)?$"), **answer)  # type: ignore[arg-type]
        for answer in case.creates:
            mock.add("POST", re.compile(r".*/v2/Services$"), **answer)  # type: ignore[arg-type]
        run = run_cli(*case.args)
    assert run.exit_code == case.code
    shown = run.stderr if case.args[0] == "plan" or case.expected.startswith("Error:") else run.stdout
    assert case.expected in shown.splitlines(), shown
    if case.cause is client_hints.Cause.READ_ONLY_KEY:
        # The one line ends the run: no change was reported failed or skipped before it.
        assert run.stderr.splitlines()[-1] == case.expected
        assert "failed" not in run.stdout and "skipped" not in run.stderr
    elif case.args[0] == "apply":
        # A value the API refused fails the same way on a rerun: the next step is the configuration.
        if case.cause is client_hints.Cause.VALIDATION:
            step = "the API refused a value: fix the configuration (see above), then apply again"
        else:
            step = "rerun apply"
        assert run.stderr.splitlines()[-1] == f"Error: 1 change failed and 0 were skipped; {step}"


def test_every_client_cause_has_a_row() -> None:
    assert {case.cause for case in HTTP_CASES.values()} - {None} == set(client_hints.Cause)


# -- causes only the command line can tell -----------------------------------------------------------


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_emulator_serve_on_a_port_in_use(workdir: Path, taken_port: int) -> None:
    run = run_cli("emulator", "serve", "--port", str(taken_port), "--db", ":memory:")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == (
        f"Error: cannot listen on 127.0.0.1:{taken_port}: Address already in use; "
        f"try --port 0 (any free port), or stop what listens on port {taken_port}"
    )


def test_verify_send_to_a_number_without_its_country_code(workdir: Path, emulator: EmulatorServer) -> None:
    sid, token = emulator.accounts[0][:2]
    url = ("--api-url", emulator.base_url)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TWILIO_ACCOUNT_SID", sid)
        env.setenv("TWILIO_AUTH_TOKEN", token)
        assert run_cli("apply", "--auto-approve", *url).exit_code == 0
        run = run_cli("verify", "send", "Acme Login", "--to", "5005550006", *url)
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == (
        f"Error: Invalid parameter: To (Twilio error 60200: {more(60200)}); "
        "--to takes an E.164 number with its country code: try --to +15005550006"
    )


def test_emulator_messages_with_no_emulator(workdir: Path) -> None:
    # A port that was bound and let go: nothing listens there now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = f"http://127.0.0.1:{probe.getsockname()[1]}"
    run = run_cli("emulator", "messages", "--api-url", free)
    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == (
        f"Error: cannot reach the emulator at {free}: connection refused; start one with "
        f"`verifyctl emulator serve --port {free.rsplit(':', 1)[1]}`, point --api-url at a running one,"
        " or read the embedded one with --local"
    )


YAML_CASES = {
    "an unquoted ${...} in a flow mapping": (
        "version: 1\nservices:\n  - friendly_name: A\n    rate_limits:\n      - unique_name: ip\n"
        "        buckets: [{interval: 60, max: ${X:-5}}]\n",
        "Error: verifyctl.yaml:6:40: invalid YAML: expected ',' or '}', but got '{' "
        '(while parsing a flow mapping on line 6); quote it: "${X:-5}"',
    ),
    "a tab for indentation": (
        "version: 1\nservices:\n\t- friendly_name: A\n",
        "Error: verifyctl.yaml:3:1: invalid YAML: found character '\\t' that cannot start any token; "
        "YAML forbids tabs for indentation; use spaces",
    ),
}


@pytest.mark.parametrize(("text", "expected"), YAML_CASES.values(), ids=YAML_CASES.keys())
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_yaml_scanner_errors(workdir: Path, command: str, text: str, expected: str) -> None:
    (workdir / "verifyctl.yaml").write_text(text, encoding="utf-8")
    run = run_cli(command)
    assert run.exit_code == 1
    assert run.stderr.splitlines() == [expected, "1 problem found in the configuration"]


def test_every_cli_cause_has_a_test() -> None:
    assert set(cli_hints.HINTS) == set(cli_hints.Cause) == set(cli_hints.DETECTORS)
