"""`${secret:…}` values and URL tokens never shown: plans in every format, saved plans, import, logs; and
a token a server echoes URL-encoded is scrubbed from errors."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import requests
import yaml

from tests.secrets.test_secrets_never_shown import (
    AUTH_TOKEN,
    EMULATOR_OPTIONS,
    LEAKS,
    Credentials,
    Watch,
    credentials,
    watch,
)
from verifyctl.emulator import EmulatorServer

__all__ = ["EMULATOR_OPTIONS", "credentials", "watch"]  # fixtures and options used from the main suite

AUDIT_TOKEN = "SENTINEL-audit-7c19"
ROTATED = "SENTINEL-audit-rotated-52ad"
HOOK = "https://hooks.example.com/audit?token=${secret:AUDIT_TOKEN}"
CONFIG = {
    "version": 1,
    "services": [
        {
            "friendly_name": "Secret Keeper",
            "webhooks": [{"friendly_name": "audit", "event_types": ["*"], "webhook_url": HOOK}],
        }
    ],
}


@pytest.fixture
def sensitive(credentials: Credentials, monkeypatch: pytest.MonkeyPatch) -> Credentials:
    Path("verifyctl.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("VERIFYCTL_VAR_AUDIT_TOKEN", AUDIT_TOKEN)
    return credentials


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
def test_a_secret_in_a_webhook_url_is_masked_everywhere(
    sensitive: Credentials, emulator: EmulatorServer, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    verbose = ("-vv", "--stats")
    text = watch.run("plan", *verbose).stdout
    assert 'webhook_url   = "(sensitive value)"' in text
    markdown = watch.run("plan", "-v", "--format", "markdown").stdout
    assert "(sensitive value)" in markdown
    document = json.loads(watch.run("plan", "-vv", "--format", "json").stdout)
    (hook,) = [c for c in document["changes"] if c["kind"] == "webhook"]
    assert hook["after"]["webhook_url"] == "(sensitive value)"
    assert hook["sensitive"]["after"]["webhook_url"].startswith("sha256:")

    # A saved plan holds the value masked: apply makes the plan again from the files (verifyctl.yaml by
    # default), checks it against the saved one by digest, and sends the real value.
    watch.run("plan", *verbose, "--out", "plan.json")
    watch.check_file("plan.json")
    watch.run("apply", *verbose, "--plan", "plan.json", "--report", "report.json")
    watch.check_file("report.json")
    sid, token = emulator.accounts[0]
    services = requests.get(f"{emulator.base_url}/v2/Services", auth=(sid, token), timeout=10).json()
    (service,) = services["services"]
    url = f"{emulator.base_url}/v2/Services/{service['sid']}/Webhooks"
    (live,) = requests.get(url, auth=(sid, token), timeout=10).json()["webhooks"]
    assert live["webhook_url"] == HOOK.replace(
        "${secret:AUDIT_TOKEN}", AUDIT_TOKEN
    )  # the real value was sent
    assert watch.run("plan", "--detailed-exitcode").exit_code == 0

    # A new secret value is a change, and still never shown.
    monkeypatch.setenv("VERIFYCTL_VAR_AUDIT_TOKEN", ROTATED)
    changed = watch.run("plan", *verbose, "--detailed-exitcode", expect=2).stdout
    assert "~ webhook_url" in changed and ROTATED not in changed
    watch.run("plan", "--out", "rotated.json")
    watch.check_file("rotated.json")
    # Files whose value is not the one planned are not the configuration the saved plan was made from.
    monkeypatch.setenv("VERIFYCTL_VAR_AUDIT_TOKEN", AUDIT_TOKEN)
    stale = watch.run("apply", "--plan", "rotated.json", "verifyctl.yaml", expect=3)
    assert "not the one the saved plan was made from" in stale.stderr
    monkeypatch.setenv("VERIFYCTL_VAR_AUDIT_TOKEN", ROTATED)
    watch.run("apply", "-vv", "--plan", "rotated.json", "verifyctl.yaml")
    assert watch.run("plan", "--detailed-exitcode").exit_code == 0

    # import writes a variable reference in place of the query string, and that loads back as it was.
    imported = watch.run("import", *verbose, "-o", "imported.yaml")
    assert imported.exit_code == 0
    watch.check_file("imported.yaml")
    written = Path("imported.yaml").read_text(encoding="utf-8")
    (name,) = {line.split("#")[-1].strip() for line in written.splitlines() if line.startswith("#   ")}
    assert f"?${{secret:{name}}}" in written
    watch.run("import", "-v", "--split", "imported")
    for path in Path("imported").iterdir():
        watch.check_file(str(path))
    monkeypatch.setenv(f"VERIFYCTL_VAR_{name}", f"token={ROTATED}")
    assert watch.run("plan", "imported.yaml", "--detailed-exitcode").exit_code == 0


def test_url_userinfo_and_query_are_masked_by_default() -> None:
    from verifyctl.plan.sensitive import SENSITIVE, mask

    assert mask("https://u:p@h.example/a?k=v#f") == f"https://{SENSITIVE}@h.example/a?{SENSITIVE}#f"
    assert mask("https://h.example/a") == "https://h.example/a"
    assert mask(["https://h.example/?x=1", "plain"]) == [f"https://h.example/?{SENSITIVE}", "plain"]
    assert mask("https://h.example/SENTINEL/a", {"SENTINEL"}) == SENSITIVE


# A token with characters that URL-encoding changes, as a server may echo it back in an error.
ODD_TOKEN = "SENTINEL/odd token+9f=&"
ODD_AUDIT = "SENTINEL-audit/7+x="  # a valid URL character each, yet changed by URL-encoding
ACCOUNT = "AC" + "7a" * 16


@pytest.fixture
def echoing_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A server that answers every request 400, its message echoing a value (the parameter) in each form."""
    # Both URL-encoded forms (%20 and +), with upper- and lower-case hex digits, and the raw token.
    echoes = []
    for echoed in [request.param]:
        lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(echoed, safe=""))
        echoes += [quote(echoed, safe=""), quote_plus(echoed), lower_hex, quote(echoed), echoed]

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {"code": 60200, "message": "Invalid value: " + " ".join(echoes), "status": 400}
            ).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("echoing_server", [ODD_TOKEN], indirect=True)
def test_url_encoded_echoes_of_the_token_are_scrubbed(
    echoing_server: str, watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", ODD_TOKEN)
    monkeypatch.chdir(tmp_path)
    Path("verifyctl.yaml").write_text("version: 1\nservices:\n  - friendly_name: Echo\n", encoding="utf-8")
    run = watch.run("plan", "-vv", "--api-url", echoing_server, expect=1)
    assert "Invalid value: *** *** *** *** ***" in run.stderr
    assert all(leak not in run.stderr for leak in LEAKS)


@pytest.mark.parametrize("echoing_server", [ODD_AUDIT], indirect=True)
def test_an_echoed_secret_value_of_the_files_is_scrubbed(
    echoing_server: str, watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "plain-token-of-no-interest")
    monkeypatch.setenv("VERIFYCTL_VAR_AUDIT_TOKEN", ODD_AUDIT)
    monkeypatch.chdir(tmp_path)
    Path("verifyctl.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False), encoding="utf-8")
    run = watch.run("plan", "-vv", "--api-url", echoing_server, expect=1)
    assert "Invalid value: *** *** *** *** ***" in run.stderr


# A base64-like webhook password: "/", "+" and "=" as such tokens have, and "#", "?" and "@" besides.
HOOK_PASSWORDS = ["SENTINEL9Hook+/=Pw", "SENTINEL#frag", "SENTINEL?q=1", "SENTINEL@at"]


@pytest.mark.parametrize("password", HOOK_PASSWORDS)
def test_url_userinfo_is_masked_however_it_is_written(password: str) -> None:
    from verifyctl.client.secrets import mask_urls
    from verifyctl.plan.sensitive import SENSITIVE, mask, url_as_references

    for url in (f"https://user:{password}@hooks.example.com/v", f"  HTTPS://user:{password}@h.example/v?x=1"):
        assert "SENTINEL" not in mask(url) and mask(url).endswith(("@hooks.example.com/v", f"/v?{SENSITIVE}"))
        written, names = url_as_references(url, "HOOK")
        assert "SENTINEL" not in written and names[0] == "HOOK_USERINFO"
        for logged in (json.dumps({"webhook_url": url}), f"WebhookUrl={quote_plus(url)}"):
            assert "SENTINEL" not in mask_urls(logged), mask_urls(logged)


@pytest.mark.parametrize("credentials", [AUTH_TOKEN], indirect=True, ids=["auth token"])
def test_a_webhook_password_is_never_shown_and_a_malformed_url_is_refused(
    credentials: Credentials, emulator: EmulatorServer, watch: Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = {
        "friendly_name": "audit",
        "event_types": ["*"],
        "webhook_url": "https://user:${HOOK_PW}@hooks.example.com/v",
    }
    document = {"version": 1, "services": [{"friendly_name": "Hooked", "webhooks": [hook]}]}
    Path("verifyctl.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    # As written, a "/" in the password ends the host: the API would post elsewhere. Refused, unquoted.
    monkeypatch.setenv("VERIFYCTL_VAR_HOOK_PW", HOOK_PASSWORDS[0])
    refused = watch.run("validate", expect=1).stderr
    assert "services[0].webhooks[0].webhook_url: has an '@' after its host: percent-encode" in refused
    watch.run("plan", expect=1)
    # Percent-encoded, it is a URL, and its userinfo is masked in every output.
    monkeypatch.setenv("VERIFYCTL_VAR_HOOK_PW", quote(HOOK_PASSWORDS[0], safe=""))
    watch.run("validate")
    text = watch.run("plan", "-vv").stdout
    assert 'webhook_url   = "https://(sensitive value)@hooks.example.com/v"' in text
    watch.run("plan", "--format", "markdown")
    watch.run("plan", "--format", "json")
    watch.run("plan", "--out", "plan.json")
    watch.check_file("plan.json")
    watch.run("apply", "-vv", "--plan", "plan.json", "verifyctl.yaml", "--report", "report.json")
    watch.check_file("report.json")
    watch.run("import", "-vv", "-o", "imported.yaml")
    watch.check_file("imported.yaml")
    assert "https://${secret:" in Path("imported.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "echoing_server", ["https://user:SENTINEL9Hook+/=Pw@hooks.example.com/v?t=SENTINEL"], indirect=True
)
def test_a_url_the_api_echoes_in_an_error_is_masked(
    echoing_server: str, watch: Watch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "VERIFYCTL_LOCAL", "VERIFYCTL_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "plain-token-of-no-interest")
    monkeypatch.chdir(tmp_path)
    Path("verifyctl.yaml").write_text("version: 1\nservices:\n  - friendly_name: Echo\n", encoding="utf-8")
    run = watch.run("plan", "-vv", "--api-url", echoing_server, expect=1)
    assert "https://***@hooks.example.com/v?***" in run.stderr
