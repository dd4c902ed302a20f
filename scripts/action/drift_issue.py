"""The action's drift issue: one open GitHub issue per environment while its account drifts from the files.

Run by action.yml after the `run` step of a plan, with `drift-issue: true`. Drift (the plan succeeded
and has changes) opens the environment's issue, or updates it when the drift changed; a plan without
changes closes it with a comment; an error (verifyctl failed: credentials, network, an invalid file)
leaves it as it is and touches no issue. The issue is found again as the plan comment is: written by
the token's own identity, its body starting with the marker `<!-- verifyctl-drift:ENV -->`. The rules
are in docs/ci.md.

    python drift_issue.py   # MARKDOWN, EXIT_CODE, HAS_CHANGES and the INPUT_* variables of action.yml
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
from pathlib import Path

from verifyctl_action import (
    _api,
    _flag,
    _succeeded,
    annotation_property,
    code,
    limited,
    marker,
    own_item,
)

REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
SERVER = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")
SHOWN_NAME = 100  # characters of the environment's name in a title or a line


class IssueError(Exception):
    """The drift issue cannot be kept (no plan markdown, no OWNER/NAME repository): the step fails."""


def plain(text: str) -> str:
    """The text on one line, for the job log: no line break can start a workflow command (`::`)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def outcome() -> str:
    """`drift`, `clean` or `error`, from the run step's exit code and has-changes output."""
    raw = os.environ.get("EXIT_CODE", "").strip()
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not _succeeded(int(raw)):
        return "error"
    return "drift" if _flag("HAS_CHANGES") else "clean"


def run_link() -> str:
    """A link to this workflow run when the runner names it (GITHUB_SERVER_URL, GITHUB_RUN_ID)."""
    server = os.environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    run_id = os.environ.get("GITHUB_RUN_ID", "")
    if SERVER.fullmatch(server) and REPOSITORY.fullmatch(repo) and re.fullmatch(r"[0-9]{1,20}", run_id):
        return f"[the drift check of run {run_id}]({server}/{repo}/actions/runs/{run_id})"
    return "the drift check"


def shown_environment() -> str:
    return (os.environ.get("INPUT_ENVIRONMENT", "").strip() or "default")[:SHOWN_NAME]


def issue_body(markdown: str) -> str:
    """The issue's body: its marker, what to do, then the plan (the run step's markdown, marker taken off)."""
    first, _, rest = markdown.partition("\n")
    plan = rest if re.fullmatch(r"<!-- verifyctl-plan(?::[^>]*)? -->", first) else markdown
    where = code(shown_environment())
    intro = (
        f"**Drift in {where}**: the live account differs from its configuration. Apply the "
        "configuration, or change the files to match the account. Each drift check updates this issue "
        "while the drift lasts and closes it when the account matches again."
    )
    return limited(f"{marker('drift')}\n{intro}\n\n{plan.strip()}\n", "Drift")


def _github_message(exc: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(exc.read() or b"{}").get("message", "")
    except (ValueError, AttributeError, OSError):
        message = ""
    hint = " (the job needs `permissions: issues: write`)" if exc.code in (403, 404) else ""
    return f"HTTP {exc.code} {plain(str(message))[:200]}{hint}".rstrip()


def _same(stored: str, body: str) -> bool:
    # GitHub may hand a body back with CRLF line ends or without its last line break.
    return stored.replace("\r\n", "\n").strip() == body.strip()


def keep_issue(state: str, markdown_path: str) -> str:
    """Open, update or close the environment's issue for a `drift` or `clean` plan; what was done."""
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if not REPOSITORY.fullmatch(repo):
        raise IssueError("GITHUB_REPOSITORY is not OWNER/NAME")
    token = os.environ.get("GITHUB_TOKEN", "")
    body = ""
    if state == "drift":
        if not markdown_path or not Path(markdown_path).is_file():
            raise IssueError("the run step left no plan markdown")
        body = issue_body(Path(markdown_path).read_text(encoding="utf-8"))
    issues = f"{api}/repos/{repo}/issues"
    found = own_item(api, token, f"{issues}?state=open", marker("drift"))
    where = code(shown_environment())
    if state == "clean":
        if found is None:
            return "No drift, and no drift issue open."
        number = int(found["number"])
        closing = f"✅ The live account of {where} matches its configuration again ({run_link()}): closing."
        _api("POST", f"{issues}/{number}/comments", token, {"body": closing})
        _api("PATCH", f"{issues}/{number}", token, {"state": "closed", "state_reason": "completed"})
        return f"No drift: closed issue #{number}."
    if found is None:
        title = f"verifyctl: drift in {where}"
        opened = _api("POST", issues, token, {"title": title, "body": body})
        return f"Drift: opened issue #{int(opened['number'])}."
    number = int(found["number"])
    if _same(str(found.get("body") or ""), body):
        return f"Drift, unchanged: issue #{number} stays as it is."
    _api("PATCH", f"{issues}/{number}", token, {"body": body})
    changed = f"The drift changed ({run_link()}): the description shows it now."
    _api("POST", f"{issues}/{number}/comments", token, {"body": changed})
    return f"Drift, changed: updated issue #{number}."


def main() -> int:
    """One drift issue step; exit 1 only when the issue could not be kept as the plan asks."""
    name = annotation_property(plain(shown_environment()))
    state = outcome()
    if state == "error":
        raw = plain(os.environ.get("EXIT_CODE", ""))[:20]
        print(
            f"verifyctl exited {raw or '(nothing)'} (an error, not drift): the drift issue is left as it is."
        )
        return 0
    try:
        done = keep_issue(state, os.environ.get("MARKDOWN", ""))
    except urllib.error.HTTPError as exc:
        print(
            f"::error title=verifyctl drift issue ({name})::GitHub refused a request: {_github_message(exc)}"
        )
        return 1
    except (IssueError, urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
        print(f"::error title=verifyctl drift issue ({name})::{plain(str(exc))[:300]}")
        return 1
    print(done)
    if state == "drift":
        issue = re.search(r"issue #[0-9]+", done)
        see = f"; see {issue.group()}" if issue else ""
        differs = "the live account differs from the configuration"
        print(f"::warning title=Drift detected ({name})::{differs}{see}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
