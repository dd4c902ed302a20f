"""Facts the docs state about the program, checked against it: plan JSON keys, install lines, defaults."""

from __future__ import annotations

import re
from pathlib import Path

from verifyctl.cli.options import DEFAULT_PARALLELISM
from verifyctl.plan.model import Change, Plan

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _json_table() -> str:
    page = (ROOT / "docs" / "plans-and-apply.md").read_text(encoding="utf-8")
    return page.split("### `--format json`", 1)[1].split("\n### ", 1)[0]


def test_the_json_plan_reference_names_every_key_a_plan_has() -> None:
    rows = re.findall(r"^\| (.+?) \| ", _json_table(), flags=re.M)
    documented = {key.rstrip("[]") for row in rows for key in re.findall(r"`([\w\[\]]+)`", row)}
    # `errors` sits beside a plan, in the output of `--env all` only (documented in the same table).
    keys = set(Plan(changes=()).to_dict()) | {"errors"}
    assert documented == keys, f"documented but not in a plan, or the reverse: {sorted(documented ^ keys)}"


def test_the_json_plan_reference_names_every_key_of_a_change() -> None:
    [changes_row] = [row for row in _json_table().splitlines() if row.startswith("| `changes[]` |")]
    keys = set(Change.__dataclass_fields__)
    missing = [key for key in keys - {"sensitive"} if f"`{key}`" not in changes_row]
    assert not missing, f"keys of a change the JSON reference leaves out: {missing}"


def installs_by_name(line: str) -> bool:
    """Whether a line runs `pip install` of `verifyctl` (or `verifyctl[extra]`) as a bare name."""
    words = [word.strip("'\"`()") for word in re.split(r"\s+", line)]
    for index, word in enumerate(words[:-1]):
        if re.fullmatch(r"(?:\S*/)?pipx?3?", word) and words[index + 1] == "install":
            for position in range(index + 2, len(words)):
                if words[position] in ("&&", ";", "|"):
                    break
                named = re.fullmatch(r"verifyctl(\[[\w,]+\])?", words[position])
                if named and (position + 1 == len(words) or words[position + 1] != "@"):
                    return True
    return False


def test_the_install_check_tells_a_name_from_a_tag() -> None:
    assert installs_by_name("pip install 'verifyctl[emulator]' twilio pytest")
    assert installs_by_name("pipx install verifyctl")
    assert not installs_by_name(
        'pip install "verifyctl[emulator] @ git+https://github.com/OWNER/verifyctl@v0.1.0"'
    )
    assert not installs_by_name(
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/verifyctl plan"
    )


def commands_shown(page: Path) -> list[tuple[int, str]]:
    """(line number, text) of what a page shows as code: fenced lines and inline code spans."""
    found, fenced = [], False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            found.append((number, line))
        elif "would fetch" not in line:  # install.md's warning names the command it warns against
            found.extend((number, span) for span in re.findall(r"`([^`]+)`", line))
    return found


def test_no_page_installs_verifyctl_from_a_package_index_by_name() -> None:
    found = [
        f"{page.relative_to(ROOT)}:{number}: {text.strip()}"
        for page in PAGES
        for number, text in commands_shown(page)
        if installs_by_name(text)
    ]
    assert not found, "install verifyctl from its repository's tag (docs/install.md):\n" + "\n".join(found)


def test_every_stated_parallelism_default_is_the_programs() -> None:
    stated = [
        (page.relative_to(ROOT), int(default))
        for page in PAGES
        for default in re.findall(
            r"--parallelism N`?[^.\n]*?\(default (\d+)", page.read_text(encoding="utf-8")
        )
    ]
    assert stated, "no page states the default of --parallelism"
    assert all(default == DEFAULT_PARALLELISM for _, default in stated), stated
