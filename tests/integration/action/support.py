"""What the action's tests share: a fake runner's steps, and a fake GitHub API on loopback."""

from __future__ import annotations

import json
import os
import re
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
    """One step of verifyctl_action.py, as action.yml runs it."""
    return run_script([str(SCRIPT), name], env, cwd, **inputs)


def run_script(argv: list[str], env: dict[str, str], cwd: Path, **inputs: str) -> Step:
    """A script of scripts/action/ with its INPUT_* variables, a fresh process as on the runner."""
    output = Path(env["GITHUB_OUTPUT"])
    before = output.read_text(encoding="utf-8") if output.exists() else ""
    done = subprocess.run(
        [sys.executable, *argv],
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
REPO_PATH = "/repos/acme/verify-config"


class FakeGitHub:
    """Just enough of GitHub's issues and issue-comments API, on loopback, to keep a pull request's plan
    comment (`comments`: pull request #7's) and drift issues (`issues`, their comments in `issue_comments`).

    With `read_only` set, every write is refused as GitHub refuses a token without the permission.
    """

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        self.issues: list[dict[str, Any]] = []
        self.issue_comments: dict[int, list[str]] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.read_only = False
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

            def _route(self) -> tuple[str, dict[str, str]]:
                path, _, query = self.path.partition("?")
                return path, dict(part.split("=", 1) for part in query.split("&") if "=" in part)

            def _issue(self, number: int) -> dict[str, Any] | None:
                return next((i for i in fake.issues if i["number"] == number), None)

            def _refused(self) -> bool:
                if fake.read_only:
                    self._answer(403, {"message": "Resource not accessible by integration"})
                return fake.read_only

            def do_GET(self) -> None:
                self._record()
                path, query = self._route()
                page = int(query.get("page", "1"))
                if path == f"{REPO_PATH}/issues":
                    # Newest first, as GitHub lists them; pull requests are in the listing too.
                    listed = [i for i in reversed(fake.issues) if i["state"] == query.get("state", "open")]
                    self._answer(200, listed[(page - 1) * 100 : page * 100])
                elif match := re.fullmatch(rf"{REPO_PATH}/issues/(\d+)/comments", path):
                    number = int(match.group(1))
                    thread = fake.comments if self._issue(number) is None else []
                    self._answer(200, thread[(page - 1) * 100 : page * 100])
                else:
                    self._answer(404, {"message": "Not Found"})

            def do_POST(self) -> None:
                body = self._record()
                path, _ = self._route()
                if path == "/graphql":
                    viewer = TOKENS.get(self.requests_auth.removeprefix("Bearer "))
                    self._answer(
                        200, {"data": {"viewer": viewer}} if viewer else {"message": "Bad credentials"}
                    )
                elif self._refused():
                    pass
                elif path == f"{REPO_PATH}/issues":
                    number = 100 + len(fake.issues)
                    issue = {"number": number, "title": body["title"], "body": body["body"], "state": "open"}
                    fake.issues.append({**issue, "state_reason": None, "user": dict(BOT)})
                    fake.issue_comments[number] = []
                    self._answer(201, fake.issues[-1])
                elif match := re.fullmatch(rf"{REPO_PATH}/issues/(\d+)/comments", path):
                    number = int(match.group(1))
                    if self._issue(number) is not None:
                        fake.issue_comments[number].append(body["body"])
                        self._answer(201, {"id": 5000 + number, "body": body["body"], "user": dict(BOT)})
                        return
                    comment = {"id": 1000 + len(fake.comments), "body": body["body"], "user": dict(BOT)}
                    fake.comments.append(comment)
                    self._answer(201, comment)
                else:
                    self._answer(404, {"message": "Not Found"})

            def do_PATCH(self) -> None:
                body = self._record()
                path, _ = self._route()
                if self._refused():
                    return
                if match := re.fullmatch(rf"{REPO_PATH}/issues/comments/(\d+)", path):
                    [comment] = [c for c in fake.comments if c["id"] == int(match.group(1))]
                    comment["body"] = body["body"]
                    self._answer(200, comment)
                elif (match := re.fullmatch(rf"{REPO_PATH}/issues/(\d+)", path)) and (
                    issue := self._issue(int(match.group(1)))
                ):
                    assert set(body) <= {"title", "body", "state", "state_reason"}, body
                    assert body.get("state", "open") in ("open", "closed"), body
                    issue.update(body)
                    self._answer(200, issue)
                else:
                    self._answer(404, {"message": "Not Found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: close() waits for the serving loop to notice, which is idle time for each test.
        poll = {"poll_interval": 0.02}
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs=poll, daemon=True)
        self.thread.start()

    def writes(self) -> list[tuple[str, str]]:
        """The requests that change something (method and path), in order."""
        return [(m, p) for m, p, _ in self.requests if m != "GET" and p != "/graphql"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
