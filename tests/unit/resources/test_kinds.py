"""Each kind owns its facts; the tables others read are derived from KINDS, never written twice."""

from __future__ import annotations

import json
from pathlib import Path

from verifyctl.engine.account import RATES
from verifyctl.resources.kinds import (
    ALL_CHILD_KINDS,
    BUCKET,
    KINDS,
    MESSAGING_CONFIGURATION,
    RATE_LIMIT,
    ROOT_KINDS,
    SAFE_LIST,
    SERVICE,
    WEBHOOK,
)
from verifyctl.resources.spec_extract import create_operation


def test_children_follow_the_parent_each_kind_names_in_configuration_order() -> None:
    assert SERVICE.children == (RATE_LIMIT, MESSAGING_CONFIGURATION, WEBHOOK)
    assert RATE_LIMIT.children == (BUCKET,)
    assert all(kind.children == () for kind in (BUCKET, MESSAGING_CONFIGURATION, WEBHOOK, SAFE_LIST))
    for kind in KINDS.values():
        assert all(child.parent == kind.name for child in kind.children)


def test_roots_and_children_partition_the_kinds() -> None:
    assert {"service", "safe_list"} == ROOT_KINDS
    assert {"rate_limit", "bucket", "messaging_configuration", "webhook"} == ALL_CHILD_KINDS


def test_the_api_keeps_unique_what_it_answers_already_exists_for() -> None:
    # Twilio's codes for a second object of a unique identity (rate limit UniqueName, bucket Interval,
    # messaging configuration Country, a listed Safe List number); services and webhooks have none.
    codes = {kind.name: kind.already_exists for kind in KINDS.values()}
    assert codes == {
        "service": None,
        "rate_limit": 60208,
        "bucket": 60211,
        "messaging_configuration": 60213,
        "webhook": None,
        "safe_list": 60411,
    }
    duplicable = {kind.name for kind in KINDS.values() if kind.duplicable}
    assert duplicable == {"service", "webhook"}
    assert all(kind.already_exists is None for kind in KINDS.values() if kind.duplicable)


def test_only_the_safe_list_is_unlisted_and_paced() -> None:
    assert [kind.name for kind in KINDS.values() if not kind.listable] == ["safe_list"]
    # https://www.twilio.com/docs/verify/api/safe-list: "a built-in rate limit of 30 requests per minute".
    assert SAFE_LIST.pace is not None and (SAFE_LIST.pace.limit, SAFE_LIST.pace.window) == (30, 60.0)
    assert [kind.name for kind in KINDS.values() if kind.pace] == ["safe_list"]


def test_the_engine_paces_every_path_of_a_paced_kind() -> None:
    assert [(rate.prefix, rate.limit, rate.window) for rate in RATES] == [("/v2/SafeList/Numbers", 30, 60.0)]
    assert SAFE_LIST.instance_path.format(id="+15005550006").startswith(RATES[0].prefix)


def test_every_kinds_create_operation_is_in_the_vendored_spec() -> None:
    spec = json.loads(
        (Path(__file__).resolve().parents[2] / "contract/vendor/twilio_verify_v2_subset.json").read_text()
    )
    operations = {kind.name: create_operation(kind) for kind in KINDS.values()}
    assert operations["bucket"] == "/v2/Services/{ServiceSid}/RateLimits/{RateLimitSid}/Buckets"
    assert operations["safe_list"] == "/v2/SafeList/Numbers"
    assert all("post" in spec["paths"][path] for path in operations.values())
