"""`safe_list:`: the short and long forms, E.164 checked offline, duplicates across files, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verifyctl.cli.config_cmd import validate_command
from verifyctl.config.loader import load_sources
from verifyctl.errors import ConfigError
from verifyctl.resources.kinds import SAFE_LIST
from verifyctl.resources.safelist import safe_list_records


def problems(*files: tuple[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_sources([(name, text.encode()) for name, text in files], {})
    return [str(problem) for problem in caught.value.problems]


def test_short_and_long_forms_become_present_and_absent_records() -> None:
    text = """\
version: 1
safe_list:
  - "+15005550006"
  - {phone_number: "+15005550007", ensure: absent}
  - {phone_number: "+447700900123"}
"""
    config = load_sources([("a.yaml", text.encode())], {})
    records = safe_list_records(config.safe_list, config.location)
    assert [(r.kind, r.key, r.absent) for r in records] == [
        (SAFE_LIST, "+15005550006", False),
        (SAFE_LIST, "+15005550007", True),
        (SAFE_LIST, "+447700900123", False),
    ]
    assert records[0].fields == {"phone_number": "+15005550006"}
    assert [r.location for r in records] == ["a.yaml:3:5", "a.yaml:4:5", "a.yaml:5:5"]


def test_entries_of_every_file_merge_in_file_order() -> None:
    config = load_sources(
        [
            ("a.yaml", b'version: 1\nsafe_list: ["+15005550006"]\n'),
            ("b.yaml", b'version: 1\nsafe_list: ["+15005550008"]\n'),
        ],
        {},
    )
    assert [entry.phone_number for entry in config.safe_list] == ["+15005550006", "+15005550008"]


def test_a_config_without_safe_list_has_none() -> None:
    assert load_sources([("a.yaml", b"version: 1\n")], {}).safe_list == []


@pytest.mark.parametrize(
    "number", ["15005550006", "+1 500 555 0006", "+0123456", "+1234567890123456", "+1500555000a", "+", ""]
)
def test_a_number_not_in_e164_is_a_located_error(number: str) -> None:
    [problem] = problems(("a.yaml", f'version: 1\nsafe_list:\n  - "+15005550006"\n  - "{number}"\n'))
    assert problem.startswith("a.yaml:4:5: safe_list[1]")
    assert "must be a phone number in E.164 format" in problem


def test_the_long_form_is_checked_too() -> None:
    [problem] = problems(("a.yaml", 'version: 1\nsafe_list:\n  - {phone_number: "555-0006"}\n'))
    assert problem.startswith("a.yaml:3:20: safe_list[0].phone_number: must be a phone number in E.164")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("15005550006", 'must be a phone number ("+15005550006") or a mapping with phone_number'),
        ("{ensure: absent}", "missing required key 'phone_number'"),
        ('{phone_number: "+15005550006", ensure: gone}', "must be 'present' or 'absent'"),
        ('{phone_number: "+15005550006", friendly_name: x}', "unknown key 'friendly_name'"),
    ],
)
def test_malformed_entries_are_located_errors(entry: str, message: str) -> None:
    [problem] = problems(("a.yaml", f"version: 1\nsafe_list:\n  - {entry}\n"))
    assert problem.startswith("a.yaml:3:"), problem
    assert message in problem


def test_a_number_written_twice_is_an_error_at_the_second_naming_the_first() -> None:
    found = problems(
        ("a.yaml", 'version: 1\nsafe_list:\n  - "+15005550006"\n  - "+15005550006"\n'),
        ("b.yaml", 'version: 1\nsafe_list:\n  - {phone_number: "+15005550006", ensure: absent}\n'),
    )
    assert found == [
        "a.yaml:4:5: safe_list[1]: duplicate Safe List number '+15005550006'; first written at a.yaml:3:5",
        "b.yaml:3:20: safe_list[0].phone_number: duplicate Safe List number '+15005550006';"
        " first written at a.yaml:3:5",
    ]


def test_validate_counts_the_numbers_only_when_written(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text('version: 1\nsafe_list: ["+15005550006"]\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text("version: 1\n", encoding="utf-8")
    runner = CliRunner()
    written = runner.invoke(validate_command, [str(tmp_path / "a.yaml")])
    assert written.output == "Valid: 1 file, 0 services, 0 objects, 1 Safe List number\n"
    assert (
        runner.invoke(validate_command, [str(tmp_path / "b.yaml")]).output
        == "Valid: 1 file, 0 services, 0 objects\n"
    )
