"""The loader on good input: merging files, positions, directories, `${VAR}`, YAML 1.2 scalars, merges."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from verifyctl.cli.config_cmd import schema_command, validate_command
from verifyctl.config.loader import Config, load_config, load_sources
from verifyctl.config.models import ServiceConfig
from verifyctl.config.schema import schema_text
from verifyctl.config.variables import Variables
from verifyctl.errors import ConfigError

LOGIN = """\
version: 1
services:
  - friendly_name: Acme Login
    code_length: 6
    totp: {skew: 1}
    rate_limits:
      - unique_name: per_phone
        buckets:
          - {interval: 60, max: 5}
"""

CHECKOUT = """\
version: 1
prune: true
services:
  - friendly_name: Acme Checkout
    messaging_configurations: []
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_one(text: str, declared: dict[str, str] | None = None) -> Config:
    """The text loaded with `declared` as its declared variables (as --var gives them)."""
    return load_sources([("verifyctl.yaml", text.encode())], Variables(declared or {}))


def problems_of(text: str, declared: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_one(text, declared)
    return [str(p) for p in caught.value.problems]


def test_files_merge_into_one_account_in_file_order(tmp_path: Path) -> None:
    login = write(tmp_path / "login.yaml", LOGIN)
    checkout = write(tmp_path / "checkout.yaml", CHECKOUT)
    config = load_config([login, checkout], {})
    assert [s.friendly_name for s in config.services] == ["Acme Login", "Acme Checkout"]
    assert config.files == [login, checkout]
    assert config.prune is True
    assert config.object_count == 4


def test_prune_is_off_unless_a_file_turns_it_on(tmp_path: Path) -> None:
    config = load_config([write(tmp_path / "login.yaml", LOGIN)], {})
    assert config.prune is False


def test_only_written_keys_are_set() -> None:
    service = load_one(LOGIN).services[0]
    assert service.model_fields_set == {"friendly_name", "code_length", "totp", "rate_limits"}
    assert service.model_dump(exclude_unset=True, by_alias=True) == {
        "friendly_name": "Acme Login",
        "code_length": 6,
        "totp": {"skew": 1},
        "rate_limits": [{"unique_name": "per_phone", "buckets": [{"interval": 60, "max": 5}]}],
    }
    assert service.ensure == "present"
    assert service.webhooks is None


def test_an_empty_child_list_is_kept_as_none_of_them() -> None:
    service = load_one(CHECKOUT).services[0]
    assert service.messaging_configurations == []
    assert "messaging_configurations" in service.model_fields_set


def test_location_points_at_each_object(tmp_path: Path) -> None:
    login = write(tmp_path / "login.yaml", LOGIN)
    config = load_config([login], {})
    service = config.services[0]
    assert config.location(service) == f"{login}:3:5"
    rate_limit = (service.rate_limits or [])[0]
    assert config.location(rate_limit) == f"{login}:7:9"
    assert config.location((rate_limit.buckets or [])[0]) == f"{login}:9:13"
    with pytest.raises(ValueError, match="not loaded into this Config"):
        config.location(ServiceConfig(friendly_name="Elsewhere"))


def test_directories_are_read_recursively_and_sorted(tmp_path: Path) -> None:
    b = write(tmp_path / "b.yaml", LOGIN)
    a = write(tmp_path / "a" / "z.yml", CHECKOUT)
    write(tmp_path / "notes.txt", "not yaml")
    write(tmp_path / ".github" / "workflows" / "ci.yml", "on: push\n")
    write(tmp_path / ".hidden.yaml", "not: verifyctl\n")
    config = load_config([tmp_path, b], {})
    assert config.files == [a, b]


def test_default_path_is_verifyctl_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "verifyctl.yaml", LOGIN)
    monkeypatch.chdir(tmp_path)
    assert load_config([], {}).files == [Path("verifyctl.yaml")]


def test_variables_are_substituted_in_values() -> None:
    text = """\
version: 1
services:
  - friendly_name: "Acme ${STAGE}"
    tts_name: "${VOICE:-alice}"
    totp: {issuer: "${ISSUER:-Acme}"}
    whatsapp: {from: "$${NOT_A_VARIABLE} ${EMPTY:-fallback}"}
"""
    service = load_one(text, {"STAGE": "Staging", "ISSUER": "Acme Corp", "EMPTY": ""}).services[0]
    assert service.friendly_name == "Acme Staging"
    assert service.tts_name == "alice"
    assert service.totp is not None and service.totp.issuer == "Acme Corp"
    assert service.whatsapp is not None and service.whatsapp.from_ == "${NOT_A_VARIABLE} fallback"


def test_a_substituted_value_is_read_as_its_key_expects() -> None:
    text = """\
version: ${VERSION:-1}
prune: ${PRUNE:-false}
services:
  - friendly_name: Acme Login
    code_length: ${LENGTH:-6}
    lookup_enabled: ${LOOKUP}
    rate_limits:
      - unique_name: "${LIMIT:-10}"
"""
    config = load_one(text, {"LOOKUP": "True"})
    service = config.services[0]
    assert (config.prune, service.code_length, service.lookup_enabled) == (False, 6, True)
    assert (service.rate_limits or [])[0].unique_name == "10"


def test_a_substituted_value_of_the_wrong_kind_is_reported_with_its_value() -> None:
    text = "version: 1\nservices:\n  - friendly_name: Acme Login\n    code_length: ${LENGTH}\n"
    assert problems_of(text, {"LENGTH": "six"}) == [
        "verifyctl.yaml:4:18: services[0].code_length: must be an integer, not the string 'six'"
    ]


def test_keys_are_never_substituted() -> None:
    text = "version: 1\nservices:\n  - friendly_name: A\n    ${KEY}: 6\n"
    assert problems_of(text, {"KEY": "code_length"}) == [
        "verifyctl.yaml:4:5: services[0].${KEY}: unknown key '${KEY}'"
    ]


def test_yaml_1_2_scalars_keep_country_codes_and_yes_as_strings() -> None:
    text = """\
version: 1
services:
  - friendly_name: Acme Nordics
    messaging_configurations:
      - {country: NO, messaging_service_sid: MG0123456789abcdef0123456789abcdef}
      - {country: se, messaging_service_sid: MG0123456789abcdef0123456789abcdef}
      - {country: ALL, messaging_service_sid: MG0123456789abcdef0123456789abcdef}
"""
    configurations = load_one(text).services[0].messaging_configurations or []
    assert [c.country for c in configurations] == ["NO", "SE", "all"]


def test_merge_keys_share_settings_and_written_keys_win() -> None:
    text = """\
version: 1
services:
  - &defaults
    friendly_name: Acme Login
    code_length: 6
    lookup_enabled: true
  - <<: *defaults
    friendly_name: Acme Signup
    code_length: 8
"""
    config = load_one(text)
    signup = config.services[1]
    assert (signup.friendly_name, signup.code_length, signup.lookup_enabled) == ("Acme Signup", 8, True)
    assert config.location(signup) == "verifyctl.yaml:7:5"


def test_a_merged_mapping_with_a_bad_value_is_reported_where_it_is_written() -> None:
    text = """\
version: 1
services:
  - <<: {friendly_name: Acme Login, code_length: 3}
"""
    assert problems_of(text) == ["verifyctl.yaml:3:50: services[0].code_length: must be between 4 and 10"]


def test_merging_something_else_than_a_mapping_is_a_problem() -> None:
    text = "version: 1\nservices:\n  - <<: [1]\n    friendly_name: A\n"
    assert problems_of(text) == [
        "verifyctl.yaml:3:10: services[0]: '<<' must merge a mapping or a list of mappings"
    ]


def test_non_string_keys_are_read_as_written() -> None:
    text = "version: 1\nservices: []\n1: x\n? [a]\n: b\n"
    assert problems_of(text) == [
        "verifyctl.yaml:3:1: 1: unknown key '1'",
        "verifyctl.yaml:4:3: a key must be a plain string, not a list or mapping",
    ]


def test_an_oversized_number_is_a_problem() -> None:
    text = "version: 1\nservices:\n  - friendly_name: A\n    code_length: " + "9" * 5000 + "\n"
    assert problems_of(text) == ["verifyctl.yaml:4:18: services[0].code_length: number is too large"]


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    config = load_sources([("bom.yaml", "\ufeff".encode() + LOGIN.encode())], {})
    assert config.services[0].friendly_name == "Acme Login"


def test_validate_prints_a_summary(tmp_path: Path) -> None:
    login = write(tmp_path / "login.yaml", LOGIN)
    checkout = write(tmp_path / "more" / "checkout.yaml", CHECKOUT)
    result = CliRunner().invoke(validate_command, [str(login), str(checkout.parent)])
    assert result.exit_code == 0, result.output
    assert result.output == "Valid: 2 files, 2 services, 4 objects\n"
    single = CliRunner().invoke(validate_command, [str(checkout)])
    assert single.output == "Valid: 1 file, 1 service, 1 object\n"


def test_validate_reads_prefixed_process_variables_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "env.yaml", "version: 1\nservices:\n  - friendly_name: ${NAME}\n")
    monkeypatch.setenv("NAME", "Acme Unprefixed")
    refused = CliRunner().invoke(validate_command, [str(path)])
    assert isinstance(refused.exception, ConfigError)
    assert "variable 'NAME' is not declared" in str(refused.exception.problems[0])
    monkeypatch.setenv("VERIFYCTL_VAR_NAME", "Acme From Env")
    result = CliRunner().invoke(validate_command, [str(path)])
    assert result.output == "Valid: 1 file, 1 service, 1 object\n"


def test_validate_defaults_to_verifyctl_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(validate_command, [])
    assert isinstance(result.exception, ConfigError)
    assert [str(p) for p in result.exception.problems] == ["verifyctl.yaml:1:1: no such file or directory"]


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(schema_command, [])
    assert result.exit_code == 0
    assert result.output == schema_text()
