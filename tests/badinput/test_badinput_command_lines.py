"""Random command lines: every one ends in a documented exit code and a one-line error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.badinput.outcome import run_and_check
from tests.fuzzing import examples
from verifyctl.emulator import EmulatorServer

EXAMPLES_PER_TEST = examples(180)
SETTINGS = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
GOOD = {
    "version": 1,
    "services": [
        {
            "friendly_name": "Fuzz Login",
            "code_length": 6,
            "webhooks": [
                {"friendly_name": "audit", "event_types": ["*"], "webhook_url": "https://h.example/"}
            ],
        }
    ],
}
# `emulator serve` is left out: it serves until interrupted. URLs are loopback or refused before any
# connection (plain http to another host), so no input reaches the network. No word holds a NUL: an
# operating system cannot pass one in an argument.
COMMANDS = ["plan", "apply", "validate", "schema", "emulator", "import", "verify", "nonsense", "--help", ""]
TOKENS = [
    "plan", "apply", "messages", "send", "check", "--format", "text", "json", "markdown", "xml",
    "--out", "out.json", "--detailed-exitcode", "--target", "service[Fuzz Login]",
    "service[Fuzz Login]/webhook[audit]", "service[", "webhook[x]", "service[A]/bucket[60]",
    "--parallelism", "0", "1", "10", "65", "-3", "abc", "--plan", "saved.json", "missing.json",
    "good.yaml", "--auto-approve", "--allow-delete", "--force", "--api-url", "http://example.com",
    "http://127.0.0.1:1", "https://127.0.0.1:1", "ftp://x", "not a url", "--local", "--stats",
    "--no-color", "-v", "-vv", "--help", "-h", "--version", "--to", "+15005550006", "--code", "123456",
    "--channel", "sms", "pigeon", "good.yaml", "bad.yaml", "missing.yaml", ".", "configs", "",
    "-", "--", "line\nbreak.yaml", "\r", "é", "--format=json", "--parallelism=5", "-o", "--split",
]  # fmt: skip


@pytest.fixture(scope="module")
def files(emulator: EmulatorServer) -> Path:
    """good.yaml, bad.yaml, configs/ and a saved plan in the emulator fixture's working directory."""
    Path("good.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    Path("bad.yaml").write_text("version: 2\nservices:\n  - code_length: 99\n", encoding="utf-8")
    Path("configs").mkdir(exist_ok=True)
    Path("configs/a.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    saved = run_and_check(emulator, "setup", "plan", "good.yaml", "--out", "saved.json")
    assert saved.exit_code == 0
    return Path.cwd()


@SETTINGS
@given(command=st.sampled_from(COMMANDS), rest=st.lists(st.sampled_from(TOKENS), max_size=6))
def test_random_command_lines(emulator: EmulatorServer, files: Path, command: str, rest: list[str]) -> None:
    args = ([command] if command else []) + rest
    run_and_check(emulator, "command lines", *args)


@SETTINGS
@given(
    rest=st.lists(
        st.text(max_size=12).filter(lambda w: "\x00" not in w) | st.sampled_from(TOKENS), max_size=5
    )
)
def test_random_words_after_plan_and_apply(emulator: EmulatorServer, files: Path, rest: list[str]) -> None:
    for command in ("plan", "apply"):
        run_and_check(emulator, "command lines", command, *rest)
