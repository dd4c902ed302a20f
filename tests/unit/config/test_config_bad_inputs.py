"""Every bad input has a fixture, and is reported at its exact place, in plain words, through the CLI too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from verifyctl.cli.main import main
from verifyctl.config.loader import load_config
from verifyctl.errors import ConfigError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"
ENV = {"VERIFYCTL_VAR_ACME_ENV": "Production"}

# fixture -> every line the loader must report, `{f}` standing for the fixture's path.
EXPECTED: dict[str, list[str]] = {
    "code_length_out_of_range.yaml": [
        "{f}:4:18: services[0].code_length: must be between 4 and 10",
        "{f}:6:18: services[1].code_length: must be between 4 and 10",
    ],
    "unknown_keys.yaml": [
        "{f}:2:1: servics: unknown key 'servics' (did you mean 'services'?)",
        "{f}:5:5: services[0].code_lenght: unknown key 'code_lenght' (did you mean 'code_length'?)",
        "{f}:6:5: services[0].CodeLength: unknown key 'CodeLength' (did you mean 'code_length'?)",
        "{f}:7:26: services[0].totp.timestep: unknown key 'timestep' (did you mean 'time_step'?)",
        "{f}:8:16: services[0].whatsapp.from_: unknown key 'from_' (did you mean 'from'?)",
        "{f}:9:5: services[0].color: unknown key 'color'",
    ],
    "totp_out_of_range.yaml": [
        "{f}:5:18: services[0].totp.time_step: must be between 20 and 60",
        "{f}:6:20: services[0].totp.code_length: must be between 3 and 8",
        "{f}:7:13: services[0].totp.skew: must be between 0 and 2",
    ],
    "friendly_name_rules.yaml": [
        "{f}:3:20: services[0].friendly_name: must be at most 30 characters long, not 32",
        "{f}:4:20: services[1].friendly_name: must not contain more than 4 digits (an API limit)",
        "{f}:5:20: services[2].friendly_name: must not be empty",
        "{f}:6:20: services[3].friendly_name: must not be empty",
        "{f}:7:20: services[4].friendly_name: may contain only letters, digits, spaces, dashes and"
        " underscores (not '.' '<' '>')",
    ],
    "bad_sids.yaml": [
        "{f}:4:10: services[0].sid: must be a service SID: VA followed by 32 hex digits",
        "{f}:5:27: services[0].default_template_sid: must be a template SID: HJ followed by 32 hex digits",
        "{f}:6:32: services[0].push.apn_credential_sid: must be a credential SID: CR followed"
        " by 32 hex digits",
        "{f}:7:33: services[0].whatsapp.msg_service_sid: must be a Messaging Service SID: MG"
        " followed by 32 hex"
        " digits",
        "{f}:9:46: services[0].messaging_configurations[0].messaging_service_sid: must be a Messaging Service"
        " SID: MG followed by 32 hex digits",
    ],
    "default_template_twice.yaml": [
        "{f}:5:23: services[0].default_template: write default_template or default_template_sid, not both",
    ],
    "bad_country.yaml": [
        "{f}:5:19: services[0].messaging_configurations[0].country: must be an ISO 3166-1"
        " alpha-2 country code"
        " (such as US) or 'all'",
        "{f}:6:19: services[0].messaging_configurations[1].country: must be an ISO 3166-1"
        " alpha-2 country code"
        " (such as US) or 'all'",
    ],
    "bad_webhooks.yaml": [
        "{f}:6:39: services[0].webhooks[0].event_types[1]: must be '*', 'factor.deleted', 'factor.created',"
        " 'factor.verified', 'challenge.approved' or 'challenge.denied', not the string 'challenge.aproved'",
        "{f}:7:22: services[0].webhooks[0].webhook_url: must be an https:// URL",
        "{f}:8:17: services[0].webhooks[0].status: must be 'enabled' or 'disabled', not the string 'on'",
        "{f}:9:18: services[0].webhooks[0].version: must be 'v1' or 'v2', not the string 'v3'",
        "{f}:11:22: services[0].webhooks[1].event_types: must not be empty",
        "{f}:12:22: services[0].webhooks[1].webhook_url: must be an https:// URL",
        "{f}:14:22: services[0].webhooks[2].event_types: lists 'factor.created' more than once",
    ],
    "null_values.yaml": [
        "{f}:4:18: services[0].code_length: must not be null; leave the key out to leave it unmanaged",
        "{f}:5:11: services[0].totp: must not be null; leave the key out to leave it unmanaged",
        "{f}:6:17: services[0].rate_limits: must not be null; leave the key out to leave it unmanaged",
    ],
    "wrong_types.yaml": [
        "{f}:2:8: prune: must be true or false, not the string 'yes'",
        "{f}:4:20: services[0].friendly_name: must be a string, not 1234",
        "{f}:5:18: services[0].code_length: must be an integer, not the string '6'",
        "{f}:6:21: services[0].lookup_enabled: must be true or false, not the string 'yes'",
        "{f}:7:11: services[0].totp: must be a mapping, not a list",
        "{f}:8:18: services[0].rate_limits: must be a list, not a mapping",
        "{f}:9:13: services[0].ensure: must be 'present' or 'absent', not the string 'delete'",
        "{f}:10:5: services[1]: must be a mapping, not the string 'Acme Checkout'",
    ],
    "services_not_a_list.yaml": ["{f}:3:3: services: must be a list, not a mapping"],
    "unset_variables.yaml": [
        "{f}:5:24: services[0].whatsapp.msg_service_sid: variable 'ACME_WA_MSG_SERVICE' is not declared"
        " (declare it with --var ACME_WA_MSG_SERVICE=VALUE, --var-file, an environment's vars or var_files,"
        " or VERIFYCTL_VAR_ACME_WA_MSG_SERVICE in the process environment;"
        " or write ${ACME_WA_MSG_SERVICE:-default})",
        "{f}:6:38: services[0].whatsapp.from: variable 'ACME_WA_NUMBER' is not declared (declare it with"
        " --var ACME_WA_NUMBER=VALUE, --var-file, an environment's vars or var_files, or"
        " VERIFYCTL_VAR_ACME_WA_NUMBER in the process environment; or write ${ACME_WA_NUMBER:-default})",
    ],
    "malformed_references.yaml": [
        "{f}:3:26: services[0].friendly_name: invalid reference '${ENV-name}'; write ${NAME} or"
        " ${NAME:-default}",
        "{f}:4:22: services[0].tts_name: unterminated '${'; write ${NAME} or ${NAME:-default}",
    ],
    "malformed_yaml.yaml": [
        "{f}:5:1: invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence on"
        " line 4)",
    ],
    "empty.yaml": ["{f}:1:1: the file is empty; expected 'version: 1' and 'services:'"],
    "comments_only.yaml": ["{f}:1:1: the file is empty; expected 'version: 1' and 'services:'"],
    "two_documents.yaml": [
        "{f}:3:1: several YAML documents in one file; put each document in a file of its own",
    ],
    "top_level_list.yaml": [
        "{f}:1:1: the top level must be a mapping with 'version: 1' and 'services:', not a list",
    ],
    "not_utf8.yaml": ["{f}:3:25: not UTF-8 text: byte 0xff cannot be decoded"],
    "control_character.yaml": ["{f}:3:25: invalid YAML: the control character U+0000 is not allowed"],
    "duplicate_keys.yaml": [
        "{f}:6:5: services[0].code_length: duplicate key 'code_length' (first written on line 4)",
    ],
    "unsupported_tags.yaml": [
        "{f}:3:20: services[0].friendly_name: unsupported YAML tag '!!binary'",
        "{f}:4:15: services[0].tts_name: unsupported YAML tag '!python/name:os.system'",
        "{f}:5:11: services[0].totp: unsupported YAML tag '!!set'",
    ],
    # Explicit tags are held to the YAML 1.2 core forms: never a traceback, never a silent false.
    "strict_tags.yaml": [
        "{f}:4:18: services[0].code_length: 'abc' is not a valid !!float: write a decimal number, .inf or"
        " .nan",
        "{f}:5:21: services[0].lookup_enabled: 'yes' is not a valid !!bool: write true or false (YAML 1.2 has"
        " no yes/no/on/off)",
        "{f}:6:19: services[0].psd2_enabled: 'off' is not a valid !!bool: write true or false (YAML 1.2 has"
        " no yes/no/on/off)",
        "{f}:8:26: services[0].dtmf_input_required: 'false' is not a valid !!null: write null, ~ or nothing",
        "{f}:9:15: services[0].tts_name: unsupported YAML tag '!acme'",
        "{f}:11:18: services[1].code_length: 'abc' is not a valid !!int: write a decimal, 0o octal or 0x hex"
        " integer",
        "{f}:12:23: services[1].totp.time_step: '0b101' is not a valid !!int: write a decimal, 0o octal or 0x"
        " hex integer",
        "{f}:12:42: services[1].totp.skew: '1.5' is not a valid !!int: write a decimal, 0o octal or 0x hex"
        " integer",
        "{f}:12:66: services[1].totp.code_length: must be an integer, not inf",
    ],
    "recursive_alias.yaml": ["{f}:2:11: services[0]: an alias refers to a node that contains it"],
    "alias_bomb.yaml": [
        "{f}:7:29: this alias expands the document to more than 1,000,000 values, the limit of one file (an"
        " alias bomb?); see docs/configuration-limits.md"
    ],
    "deeply_nested.yaml": ["{f}:2:43: nested more than 32 levels deep"],
    "alias_nesting.yaml": [
        "{f}:4:15: services[0].tts_name: must be a string, not a list",
        "{f}:4:36: services[1]: nested more than 32 levels deep",
    ],
    "version_problems.yaml": ["{f}:1:1: missing required key 'version'"],
    "version_two.yaml": ["{f}:1:10: version: must be 1, not 2"],
    "missing_required.yaml": [
        "{f}:3:5: services[0]: missing required key 'friendly_name'",
        "{f}:5:9: services[0].rate_limits[0]: missing required key 'unique_name'",
        "{f}:7:13: services[0].rate_limits[0].buckets[0]: missing required key 'max'",
        "{f}:9:9: services[0].messaging_configurations[0]: missing required key 'messaging_service_sid'",
        "{f}:11:9: services[0].webhooks[0]: missing required key 'event_types'",
        "{f}:11:9: services[0].webhooks[0]: missing required key 'webhook_url'",
    ],
    "bucket_limits.yaml": [
        "{f}:7:24: services[0].rate_limits[0].buckets[0].interval: must be between 1 and 2147483647",
        "{f}:7:32: services[0].rate_limits[0].buckets[0].max: must be between 1 and 2147483647",
        "{f}:8:33: services[0].rate_limits[0].buckets[1].max: must be between 1 and 2147483647",
        "{f}:10:24: services[0].rate_limits[0].buckets[3].interval: must be between 1 and 2147483647",
        "{f}:10:41: services[0].rate_limits[0].buckets[3].max: must be between 1 and 2147483647",
    ],
    "duplicate_children.yaml": [
        "{f}:8:24: services[0].rate_limits[0].buckets[1].interval: duplicate bucket interval"
        " 60; first written"
        " at {f}:7:24",
        "{f}:9:22: services[0].rate_limits[1].unique_name: duplicate rate limit 'Per_Phone' (unique names are"
        " compared case-insensitively); first written at {f}:5:22",
        "{f}:12:19: services[0].messaging_configurations[1].country: duplicate messaging configuration 'US';"
        " first written at {f}:11:19",
        "{f}:15:25: services[0].webhooks[1].friendly_name: duplicate webhook 'audit'; first written at"
        " {f}:14:25",
    ],
    "passkeys_problems.yaml": [
        "{f}:7:18: services[0].passkeys.relying_party.origins: origin 'https://a.example,https://b.example'"
        " must not contain a comma; list each origin separately",
        "{f}:8:33: services[0].passkeys.authenticator_attachment: must be 'platform', 'cross-platform' or"
        " 'any', not the string 'roaming'",
    ],
}


def expected_lines(name: str) -> list[str]:
    path = str(FIXTURES / name)
    return [line.replace("{f}", path) for line in EXPECTED[name]]


def test_every_fixture_has_an_expectation() -> None:
    fixtures = {p.name for p in FIXTURES.iterdir() if p.is_file()}
    assert fixtures == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_reports_every_problem_at_its_place(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config([FIXTURES / name], ENV)
    assert [str(problem) for problem in caught.value.problems] == expected_lines(name)
    count = len(EXPECTED[name])
    assert str(caught.value).endswith(f"{count} problem{'s' if count > 1 else ''} found in the configuration")


def test_duplicate_services_across_files_name_both_places() -> None:
    folder = FIXTURES / "duplicate_services"
    with pytest.raises(ConfigError) as caught:
        load_config([folder], ENV)
    a, b = folder / "a.yaml", folder / "b.yaml"
    assert [str(p) for p in caught.value.problems] == [
        f"{b}:4:10: services[0].sid: duplicate service sid 'VA0123456789ABCDEF0123456789ABCDEF';"
        f" first written"
        f" at {a}:4:10",
        f"{b}:5:20: services[1].friendly_name: duplicate service 'Acme Login'; first written at {a}:3:20",
    ]


def test_problems_of_several_files_come_in_file_order_then_line(tmp_path: Path) -> None:
    later = FIXTURES / "version_two.yaml"
    earlier = FIXTURES / "code_length_out_of_range.yaml"
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config([later, missing, earlier], ENV)
    assert [(p.file, p.line) for p in caught.value.problems] == [
        (str(later), 1),
        (str(missing), 1),
        (str(earlier), 4),
        (str(earlier), 6),
    ]


def test_missing_path_and_empty_directory_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not yaml")
    with pytest.raises(ConfigError) as caught:
        load_config([tmp_path / "nope.yaml", tmp_path / "empty"], ENV)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'nope.yaml'}:1:1: no such file or directory",
        f"{tmp_path / 'empty'}:1:1: the directory has no *.yaml or *.yml files",
    ]


def test_nesting_deeper_than_the_yaml_parser_can_follow(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\nservices: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config([path], {})
    assert [str(p) for p in caught.value.problems] == [f"{path}:2:43: nested more than 32 levels deep"]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    # A dangling symlink is found as a path, but cannot be followed, whoever runs the test.
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "deleted.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config([tmp_path], {})
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'gone.yaml'}:1:1: broken symlink: its target {tmp_path / 'deleted.yaml'} does not exist"
    ]


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Runs `verifyctl ARGS` through the real error boundary of cli/main.py, with the config commands on."""
    for variable, value in ENV.items():
        monkeypatch.setenv(variable, value)
    for variable in ("ACME_WA_MSG_SERVICE", "ACME_WA_AREA", "ACME_WA_NUMBER", "UNCLOSED"):
        monkeypatch.delenv(variable, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        out, err = capsys.readouterr()
        return int(exited.value.code or 0), out, err

    yield run


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_prints_the_problems_and_exits_1(name: str, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = run_cli("validate", str(FIXTURES / name))
    assert code == 1
    assert out == ""
    count = len(EXPECTED[name])
    summary = f"{count} problem{'s' if count > 1 else ''} found in the configuration"
    assert err == "Error: " + "\n".join([*expected_lines(name), summary]) + "\n"
    assert "Traceback" not in err
