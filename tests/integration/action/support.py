"""What the action's tests share: a fake runner's steps, and a fake GitHub API on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from verifyctl.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "action" / "verifyctl_action.py"
ACCOUNT = ("AC" + "a1" * 16, "staging-token-0123456789abcdef01")
OTHER_ACCOUNT = ("AC" + "b2" * 16, "production-token-0123456789abcde")
CONFIG = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
    rate_limits:
      - unique_name: end_user_phone
        buckets: [{interval: 60, max: 5}]
"""


@dataclass
class Step:
    """One step's exit code, printed output, and what it wrote to GITHUB_OUTPUT."""

    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


def clean_environment() -> dict[str, str]:
    """The process environment without anything a caller's account, runner or verifyctl settings put there."""
    prefixes = ("TWILIO_", "VERIFYCTL_", "GITHUB_", "RUNNER_", "INPUT_", "ACTION_")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def account_env(server: EmulatorServer, account: tuple[str, str] = ACCOUNT) -> dict[str, str]:
    return {
        "VERIFYCTL_API_URL": server.base_url,
        "TWILIO_ACCOUNT_SID": account[0],
        "TWILIO_AUTH_TOKEN": account[1],
    }


def run_step(name: str, env: dict[str, str], cwd: Path, **inputs: str) -> Step:
    output = Path(env["GITHUB_OUTPUT"])
    before = output.read_text(encoding="utf-8") if output.exists() else ""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), name],
        env={**env, **inputs},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    written = output.read_text(encoding="utf-8")[len(before) :] if output.exists() else ""
    outputs = dict(line.split("=", 1) for line in written.splitlines() if "=" in line)
    return Step(done.returncode, done.stdout, done.stderr, outputs)


def run_action(env: dict[str, str], cwd: Path, **inputs: str) -> tuple[Step, Step]:
    """The `run` step, then the `check` step fed with its outputs, as action.yml wires them."""
    ran = run_step("run", env, cwd, **inputs)
    checked = run_step(
        "check",
        env,
        cwd,
        EXIT_CODE=ran.outputs.get("exit-code", ""),
        HAS_CHANGES=ran.outputs.get("has-changes", ""),
        **{k: v for k, v in inputs.items() if k in ("INPUT_COMMAND", "INPUT_ENVIRONMENT")},
        **{k: v for k, v in inputs.items() if k in ("INPUT_DETAILED_EXITCODE", "INPUT_FAIL_ON_CHANGES")},
    )
    return ran, checked


def load_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("verifyctl_action", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BOT = {"id": 41898282, "login": "github-actions[bot]", "type": "Bot"}
# GitHub's GraphQL calls an app's token `github-actions`; its comments say `github-actions[bot]`.
TOKENS = {"ghs_fake-token": {"login": "github-actions", "databaseId": 41898282}}


class FakeGitHub:
    """Just enough of GitHub's issue-comments API, on loopback, to post and update a comment."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> dict[str, Any]:
                self.requests_auth = self.headers.get("Authorization", "")
                fake.requests.append((self.command, self.path, self.requests_auth))
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length)) if length else {}

            def do_GET(self) -> None:
                self._record()
                page = int(self.path.split("page=")[-1]) if "page=" in self.path else 1
                self._answer(200, fake.comments[(page - 1) * 100 : page * 100])

            def do_POST(self) -> None:
                body = self._record()
                if self.path == "/graphql":
                    viewer = TOKENS.get(self.requests_auth.removeprefix("Bearer "))
                    self._answer(
                        200, {"data": {"viewer": viewer}} if viewer else {"message": "Bad credentials"}
                    )
                    return
                comment = {"id": 1000 + len(fake.comments), "body": body["body"], "user": dict(BOT)}
                fake.comments.append(comment)
                self._answer(201, comment)

            def do_PATCH(self) -> None:
                body = self._record()
                comment_id = int(self.path.rsplit("/", 1)[-1])
                [comment] = [c for c in fake.comments if c["id"] == comment_id]
                comment["body"] = body["body"]
                self._answer(200, comment)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
