"""The steps of the verifyctl GitHub Action (action.yml): run a command, comment the plan, pass or fail.

Standard library only, so that it runs on the runner's Python before and apart from verifyctl.
Inputs arrive as INPUT_* environment variables set by action.yml's `env:` blocks (never expanded into
a script); results go to $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, as GitHub documents them.

    python verifyctl_action.py run       # run verifyctl; write outputs, the markdown and the job summary
    python verifyctl_action.py comment   # post or update the pull request's plan comment
    python verifyctl_action.py check     # exit non-zero when the run failed (after the comment is up)
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

PLAN_MARKER = re.compile(r"^<!-- verifyctl-plan(?::[^>]*)? -->\n?")
COMMENT_LIMIT = 60_000  # a comment or an issue body holds at most 65,536 characters
TRUE = {"true", "1", "yes", "on"}
EXIT_USAGE = 64
EXIT_POLICY_BLOCKED = 4  # plan: policy errors without an exception, so apply would refuse the plan


class InputError(Exception):
    """An action input that cannot be used as given; the step says which and fails without a traceback."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUE


def environment_name() -> str:
    """The environment input, or `default` when none is given (used in markers and file names)."""
    return os.environ.get("INPUT_ENVIRONMENT", "").strip() or "default"


def marker(command: str = "plan") -> str:
    """The first line of the comment and summary: one per command and environment."""
    return f"<!-- verifyctl-{_slug(command)}:{_slug(environment_name())} -->"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "default"


def code(value: str) -> str:
    """A markdown code span that the value cannot close (as verifyctl's own markdown writes them)."""
    text = " ".join(value.splitlines()) or " "
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if (text[0] in "` " or text[-1] in "` ") and text.strip(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def build_argv(command: str, workdir: Path) -> tuple[list[str], Path | None]:
    """The verifyctl command line for the inputs, and the saved plan's path for `plan`."""
    executable = os.environ.get("ACTION_VERIFYCTL", "verifyctl")
    argv = [executable, command]
    env = os.environ.get("INPUT_ENVIRONMENT", "").strip()
    if env:
        argv += ["--env", env]
    plan_file: Path | None = None
    if command == "plan":
        plan_file = workdir / f"verifyctl-plan-{_slug(environment_name())}.json"
        argv += ["--format", "markdown", "--out", str(plan_file), "--no-color"]
        if _flag("INPUT_DETAILED_EXITCODE"):
            argv.append("--detailed-exitcode")
    elif command == "apply":
        argv += ["--auto-approve", "--no-color"]
    try:
        argv += shlex.split(os.environ.get("INPUT_ARGS", ""))
    except ValueError as exc:
        raise InputError(f"the `args` input cannot be split as a shell would: {exc}") from None
    paths = os.environ.get("INPUT_PATHS", "").split()
    if paths:
        # `--` ends the options: a path such as `--api-url=https://...` stays a path.
        argv += ["--", *paths]
    return argv, plan_file


def _has_changes(plan_file: Path | None, exit_code: int) -> bool:
    # Exit 2 is verifyctl's own word (it also counts what the summary does not, such as unmanaged services).
    if exit_code == 2 and _flag("INPUT_DETAILED_EXITCODE"):
        return True
    if plan_file is not None and plan_file.is_file():
        try:
            summary = json.loads(plan_file.read_text(encoding="utf-8")).get("summary", {})
            return any(int(count) > 0 for count in summary.values())
        except (ValueError, AttributeError, TypeError):
            pass
    return exit_code == 2 and _flag("INPUT_DETAILED_EXITCODE")


def _succeeded(exit_code: int) -> bool:
    return exit_code == 0 or (exit_code == 2 and _flag("INPUT_DETAILED_EXITCODE"))


def _fenced(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}\n{text.rstrip()}\n{fence}\n"


def render_markdown(command: str, exit_code: int, stdout: str, stderr: str) -> str:
    """The markdown for the summary and the comment, starting with the command's marker."""
    env = os.environ.get("INPUT_ENVIRONMENT", "").strip()
    where = f" ({code(env)})" if env else ""
    shown = _succeeded(exit_code) or exit_code == EXIT_POLICY_BLOCKED
    if command == "plan" and shown and PLAN_MARKER.match(stdout):
        body = PLAN_MARKER.sub("", stdout, count=1)
        if where and body.startswith("### verifyctl plan\n"):
            body = body.replace("### verifyctl plan\n", f"### verifyctl plan{where}\n", 1)
        if exit_code == EXIT_POLICY_BLOCKED:
            heading, _, rest = body.partition("\n")
            body = (
                f"{heading}\n\n❌ **This plan fails (exit code {exit_code})**: its policy errors have no "
                "exception, so apply would refuse it. Fix them, or waive the rule in `policy.exceptions`."
                f"\n{rest}"
            )
        return f"{marker(command)}\n{body.rstrip()}\n"
    outcome = "succeeded" if _succeeded(exit_code) else f"failed (exit code {exit_code})"
    text = "\n".join(part.rstrip() for part in (stdout, stderr) if part.strip())
    return f"{marker(command)}\n### verifyctl {command}{where} {outcome}\n\n{_fenced(text or '(no output)')}"


def _write_output(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in values.items())
    else:
        for key, value in values.items():
            print(f"{key}={value}")


def run() -> int:
    """Run verifyctl once; the step itself always succeeds, so the comment can follow a failure."""
    command = os.environ.get("INPUT_COMMAND", "").strip() or "plan"
    workdir = Path(os.environ.get("RUNNER_TEMP") or tempfile.mkdtemp(prefix="verifyctl-action-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        argv, plan_file = build_argv(command, workdir)
    except InputError as exc:
        return _refuse_input(command, workdir, str(exc))
    if plan_file is not None:
        # An earlier run's plan in the same job must not be read as this one's.
        plan_file.unlink(missing_ok=True)
    print("+ " + shlex.join(argv), flush=True)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        exit_code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except OSError as exc:
        exit_code, stdout, stderr = 127, "", f"Error: cannot run {argv[0]}: {exc}\n"
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    markdown = render_markdown(command, exit_code, stdout, stderr)
    markdown_file = workdir / f"verifyctl-{_slug(command)}-{_slug(environment_name())}.md"
    markdown_file.write_text(markdown, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    saved = plan_file is not None and plan_file.is_file()
    _write_output(
        {
            "exit-code": str(exit_code),
            "has-changes": "true" if _has_changes(plan_file, exit_code) else "false",
            "plan-file": str(plan_file) if saved else "",
            "markdown": str(markdown_file),
        }
    )
    return 0


def _refuse_input(command: str, workdir: Path, message: str) -> int:
    """Report an unusable input as verifyctl reports a usage error: outputs, markdown, no verifyctl run."""
    print(f"::error title=verifyctl action input::{message}")
    markdown = render_markdown(command, EXIT_USAGE, "", f"Error: {message}\n")
    markdown_file = workdir / f"verifyctl-{_slug(command)}-{_slug(environment_name())}.md"
    markdown_file.write_text(markdown, encoding="utf-8")
    _write_output(
        {
            "exit-code": str(EXIT_USAGE),
            "has-changes": "false",
            "plan-file": "",
            "markdown": str(markdown_file),
        }
    )
    return 0


def _api(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (GITHUB_API_URL)
        payload = response.read()
    return json.loads(payload) if payload else None


def _pull_request_number() -> int | None:
    event_path = os.environ.get("GITHUB_EVENT_PATH")
    if not event_path or not Path(event_path).is_file():
        return None
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    number = (event.get("pull_request") or {}).get("number") or (event.get("issue") or {}).get("number")
    return int(number) if number else None


def _identity(api: str, token: str) -> tuple[int | None, str]:
    """The id and login of the token's own account (GraphQL `viewer`: the REST /user refuses app tokens)."""
    graphql = os.environ.get("GITHUB_GRAPHQL_URL", "").strip() or f"{api}/graphql"
    answer = _api("POST", graphql, token, {"query": "query { viewer { login databaseId } }"})
    viewer = ((answer or {}).get("data") or {}).get("viewer") or {}
    login = str(viewer.get("login") or "")
    database_id = viewer.get("databaseId")
    if not login:
        raise ValueError("GitHub did not say whose the token is (GraphQL viewer)")
    return (int(database_id) if isinstance(database_id, int) else None), login


def _written_by(comment: dict[str, Any], identity: tuple[int | None, str]) -> bool:
    user = comment.get("user") or {}
    user_id, login = identity
    if user_id is not None and user.get("id") is not None:
        return bool(user.get("id") == user_id)
    # An app's token is `github-actions` to GraphQL and `github-actions[bot]` on its comments.
    return str(user.get("login") or "") in {login, f"{login}[bot]"}


def own_item(api: str, token: str, listing: str, first_line: str) -> dict[str, Any] | None:
    """The first comment or issue of a listing URL (paged by 100) that this token's identity wrote AND
    whose body starts with the marker `first_line`; pull requests in an issue listing are passed over."""
    identity = _identity(api, token)
    page = 1
    while True:
        joined = "&" if "?" in listing else "?"
        items = _api("GET", f"{listing}{joined}per_page=100&page={page}", token) or []
        for candidate in items:
            body = str(candidate.get("body") or "")
            if (
                "pull_request" not in candidate
                and (body == first_line or body.startswith(first_line + "\n"))
                and _written_by(candidate, identity)
            ):
                return dict(candidate)
        if len(items) < 100:
            return None
        page += 1


def _own_comment(api: str, repo: str, number: int, token: str, first_line: str) -> dict[str, Any] | None:
    """This environment's plan comment: written by this token's identity AND starting with its marker."""
    return own_item(api, token, f"{api}/repos/{repo}/issues/{number}/comments", first_line)


def limited(body: str, what: str) -> str:
    """The body cut to what a GitHub comment or issue holds, saying where the rest is."""
    if len(body) <= COMMENT_LIMIT:
        return body
    return body[:COMMENT_LIMIT] + f"\n\n_{what} truncated; the full plan is in the job log and summary._\n"


def comment() -> int:
    """Post the markdown as the pull request's comment for this environment, or update the one there."""
    markdown_path = os.environ.get("MARKDOWN", "")
    try:
        number = _pull_request_number()
    except (ValueError, OSError) as exc:
        print(f"::warning title=verifyctl plan comment::cannot read the event (GITHUB_EVENT_PATH): {exc}")
        return 0
    if number is None or not markdown_path or not Path(markdown_path).is_file():
        print("No pull request or no plan markdown: no comment to post.")
        return 0
    body = Path(markdown_path).read_text(encoding="utf-8")
    body = limited(body, "Plan")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        print(
            "::warning title=verifyctl plan comment::GITHUB_REPOSITORY is not OWNER/NAME: no comment posted"
        )
        return 0
    token = os.environ.get("GITHUB_TOKEN", "")
    try:
        existing = _own_comment(api, repo, number, token, marker("plan"))
        if existing is not None:
            _api("PATCH", f"{api}/repos/{repo}/issues/comments/{int(existing['id'])}", token, {"body": body})
            print(f"Updated the plan comment {existing['id']} on pull request #{number}.")
        else:
            _api("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, {"body": body})
            print(f"Posted the plan comment on pull request #{number}.")
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # A pull request from a fork gets a read-only token: say so, and let the plan's result stand.
        print(f"::warning title=verifyctl plan comment::could not post the plan comment: {exc}")
    return 0


def annotation_property(text: str) -> str:
    """A value for a workflow command's property (`title=`), escaped as GitHub's toolkit escapes it."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace(":", "%3A").replace(",", "%2C")


def check() -> int:
    """Exit 1 when verifyctl failed, or when a plan has changes and fail-on-changes is set."""
    # Both go into workflow commands (`::error title=...`): a line break in them must not start another.
    command = annotation_property(os.environ.get("INPUT_COMMAND", "").strip() or "plan")
    env = annotation_property(os.environ.get("INPUT_ENVIRONMENT", "").strip())
    where = f" ({env})" if env else ""
    raw = os.environ.get("EXIT_CODE", "").strip()
    if not re.fullmatch(r"[0-9]{1,3}", raw):
        shown = (raw[:40] + "…") if len(raw) > 40 else raw
        print(f"::error title=verifyctl {command} failed{where}::no exit code from the run step ({shown!r})")
        return 1
    exit_code = int(raw)
    if not _succeeded(exit_code):
        drift_check = _flag("INPUT_FAIL_ON_CHANGES") or _flag("INPUT_DRIFT_ISSUE")
        detail = " (an error, not drift)" if drift_check else ""
        if exit_code == EXIT_POLICY_BLOCKED and command == "plan":
            detail = ": policy errors without an exception, so apply would refuse this plan"
        title = f"verifyctl {command} failed{where}"
        print(f"::error title={title}::verifyctl exited {exit_code}{detail}; see the log")
        return 1
    if command == "plan" and _flag("INPUT_FAIL_ON_CHANGES") and _flag("HAS_CHANGES"):
        print(
            f"::error title=Drift detected{where}::the live account differs from the configuration; "
            "apply it or update the YAML"
        )
        return 1
    if command == "plan":
        changes = "changes" if _flag("HAS_CHANGES") else "no changes"
        print(f"verifyctl plan{where}: {changes}.")
    return 0


STEPS = {"run": run, "comment": comment, "check": check}


def main(argv: list[str]) -> int:
    """Dispatch to one step."""
    if len(argv) != 1 or argv[0] not in STEPS:
        print(f"usage: verifyctl_action.py {{{'|'.join(STEPS)}}}", file=sys.stderr)
        return 64
    return STEPS[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
