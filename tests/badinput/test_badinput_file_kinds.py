"""Files that are not what they seem: devices, FIFOs, links leading out of the configuration, huge files.

Every reader of a file a user names (configuration files and the files in their directories, var_files,
--var-file, apply --plan) opens it once, reads only a regular file, only through the bound, and only
inside the directory of the path named unless --allow-outside-links. Each case runs verifyctl in a child
process under a memory limit and a timeout, so that a reader that would block or read without end fails
the test instead of hanging the suite or filling the machine's memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.chaos.evidence import count

SERVICE = "version: 1\nservices:\n  - friendly_name: Acme Login\n    code_length: ${LENGTH}\n"
# What a file outside the configuration holds: it must never reach an error message.
SECRET = "ghp_S3cretTokenThatMustNeverBeShown0123456789"
# Far above the 32 MiB bound, and sparse: it costs no disk, and a reader that ignored the bound would
# run out of the child's memory.
HUGE = 3 * 1024**3
MEMORY_LIMIT = 1536 * 1024**2
CHILD_TIMEOUT = 60


def run(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`verifyctl ARGS` in `workdir`, as a child under MEMORY_LIMIT; a run past CHILD_TIMEOUT fails."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_", "GITHUB_"))}
    try:
        return subprocess.run(
            [sys.executable, "-m", "verifyctl", *args],
            cwd=workdir,
            env=environ,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            preexec_fn=limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"verifyctl {' '.join(args)} still ran after {CHILD_TIMEOUT} s: it blocked on a file")


def refused(workdir: Path, expected: str, *args: str) -> str:
    """Run; it must exit 1 with one clear error holding `expected`, no traceback, no file content, and
    write nothing. Returns stderr."""
    before = sorted(p.name for p in workdir.iterdir())
    result = run(workdir, *args)
    count("badinput: files that are not what they seem")
    where = f"verifyctl {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
    assert result.returncode == 1, where
    assert expected in result.stderr, where
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, where
    assert SECRET not in result.stderr + result.stdout, where
    assert "S3cret" not in result.stderr + result.stdout, where
    assert sorted(p.name for p in workdir.iterdir()) == before, "a refused run wrote a file"
    return result.stderr


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A configuration directory of one valid file, and a file outside it holding a secret."""
    directory = tmp_path / "config"
    directory.mkdir()
    (directory / "login.yaml").write_text(SERVICE)
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    return directory


def test_the_valid_configuration_itself_is_accepted(config: Path) -> None:
    result = run(config, "plan", "--local", "--var", "LENGTH=6", ".")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("place", ["in the directory", "named"])
def test_a_config_file_linked_to_dev_zero_is_refused_unread(config: Path, place: str) -> None:
    (config / "zero.yaml").symlink_to("/dev/zero")
    named = "." if place == "in the directory" else "zero.yaml"
    refused(config, "zero.yaml:1:1: a link not followed: it leads outside", "validate", named)
    refused(
        config,
        "zero.yaml:1:1: cannot read the file: it is a character device",
        "validate",
        "--allow-outside-links",
        named,
    )


def test_a_var_file_linked_to_dev_zero_is_refused_unread(config: Path) -> None:
    (config / "staging.vars").symlink_to("/dev/zero")
    args = ["plan", "--local", "--var-file", "staging.vars", "login.yaml"]
    refused(config, "cannot read the variables file staging.vars: it leads outside", *args)
    refused(
        config,
        "cannot read the variables file staging.vars: it is a character device",
        *args,
        "--allow-outside-links",
    )


def test_a_var_file_of_an_environment_linked_outside_the_configuration_is_refused(config: Path) -> None:
    sid = "AC" + "1" * 32
    (config / "environments.yaml").write_text(
        "version: 1\nenvironments:\n  staging:\n"
        f"    account_sid: {sid}\n    credentials: {{auth_token_env: STAGING_TOKEN}}\n"
        "    var_files: [staging.vars]\n"
    )
    (config / "staging.vars").symlink_to(config.parent / "secret.txt")
    refused(config, "cannot read the variables file staging.vars: it leads outside", "plan", "--local", ".")
    # Nor does a var_files path written to reach outside.
    (config / "staging.vars").unlink()
    (config / "environments.yaml").write_text(
        (config / "environments.yaml").read_text().replace("[staging.vars]", "[../secret.txt]")
    )
    refused(config, "cannot read the variables file ../secret.txt: it leads outside", "plan", "--local", ".")


def test_a_fifo_is_refused_without_waiting_for_a_writer(config: Path) -> None:
    os.mkfifo(config / "pipe.yaml")
    refused(config, "pipe.yaml:1:1: cannot read the file: it is a FIFO", "validate", ".")
    refused(config, "pipe.yaml:1:1: cannot read the file: it is a FIFO", "validate", "pipe.yaml")
    os.mkfifo(config / "staging.vars")
    refused(
        config,
        "staging.vars: it is a FIFO",
        "plan",
        "--local",
        "--var-file",
        "staging.vars",
        ".",
    )
    os.mkfifo(config / "plan.json")
    refused(
        config,
        "cannot read the saved plan plan.json: it is a FIFO",
        "apply",
        "--local",
        "--plan",
        "plan.json",
    )


def test_a_link_leading_outside_the_configuration_is_refused_and_its_content_never_shown(
    config: Path,
) -> None:
    (config / "stolen.yaml").symlink_to(config.parent / "secret.txt")
    stderr = refused(config, "stolen.yaml:1:1: a link not followed: it leads outside", "validate", ".")
    assert "--allow-outside-links allows it" in stderr
    refused(config, "stolen.yaml:1:1: a link not followed: it leads outside", "validate", "stolen.yaml")
    (config / "plan.json").symlink_to(config.parent / "secret.txt")
    refused(
        config,
        "cannot read the saved plan plan.json: it leads outside",
        "apply",
        "--local",
        "--plan",
        "plan.json",
    )


def test_a_directory_linked_outside_the_configuration_is_not_walked(config: Path) -> None:
    (config / "everything").symlink_to("/")
    refused(config, "everything:1:1: a link not followed: it leads outside", "validate", ".")


def test_oversized_files_are_refused_before_they_are_read(config: Path) -> None:
    huge = config / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(HUGE)
    refused(config, "huge.yaml:1:1: the file is larger than 33,554,432 bytes", "validate", ".")
    huge.rename(config / "huge.vars")
    refused(
        config,
        "cannot read the variables file huge.vars: the file is larger than 33,554,432 bytes",
        "plan",
        "--local",
        "--var-file",
        "huge.vars",
        "login.yaml",
    )
    (config / "huge.vars").rename(config / "plan.json")
    refused(
        config,
        "cannot read the saved plan plan.json: the file is larger than",
        "apply",
        "--local",
        "--plan",
        "plan.json",
    )
