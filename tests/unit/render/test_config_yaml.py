"""Live records as YAML: what import writes loads back into the same desired fields, in a stable shape."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from verifyctl.config.loader import load_sources
from verifyctl.render.config_yaml import render_config, slug, split_file_names
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.kinds import BUCKET, MESSAGING_CONFIGURATION, RATE_LIMIT, SERVICE, WEBHOOK, Kind
from verifyctl.resources.records import LiveRecord

SID_A, SID_B = "VA" + "a" * 32, "VA" + "b" * 32


def live(
    kind: Kind, id: str, children: dict[str, list[LiveRecord]] | None = None, **values: Any
) -> LiveRecord:
    fields = {f.key: None for f in kind.fields}
    fields.update({k.replace("__", "."): v for k, v in values.items()})
    return LiveRecord(kind, str(fields[kind.identity]), fields, id=id, children=children or {})


def full_children() -> dict[str, list[LiveRecord]]:
    buckets = [live(BUCKET, "BL2", interval=3600, max=10), live(BUCKET, "BL1", interval=60, max=3)]
    return {
        "rate_limit": [
            live(RATE_LIMIT, "RK2", {"bucket": buckets}, unique_name="phone", description="per phone"),
            live(RATE_LIMIT, "RK1", {"bucket": []}, unique_name="ip"),
        ],
        "messaging_configuration": [
            live(MESSAGING_CONFIGURATION, "all", country="all", messaging_service_sid="MG" + "1" * 32),
            live(MESSAGING_CONFIGURATION, "US", country="US", messaging_service_sid="MG" + "2" * 32),
        ],
        "webhook": [
            live(
                WEBHOOK,
                "YW1",
                friendly_name="audit",
                event_types=["challenge.approved", "factor.created"],
                webhook_url="https://h.example.com/x",
                status="enabled",
                version="v2",
            )
        ],
    }


def load_back(text: str) -> list[LiveRecord]:
    return desired_records(load_sources([("imported.yaml", text.encode())], {}).services)


def test_written_fields_load_back_as_the_live_values_and_nulls_are_left_out() -> None:
    service = live(
        SERVICE,
        SID_A,
        full_children(),
        friendly_name="Acme Login",
        code_length=6,
        tts_name="yes",
        totp__issuer="Costs ${HOME} $${x}",
        totp__skew=1,
        whatsapp__from="+15017122661",
        passkeys__relying_party__origins=["https://a.example", "https://b.example"],
    )
    text = render_config([service], schema_ref="s.json")
    [loaded] = load_back(text)
    assert loaded.fields == {k: v for k, v in service.fields.items() if v is not None}
    assert "null" not in text and "whatsapp:\n      from: '+15017122661'" in text
    assert {k: [c.key for c in v] for k, v in loaded.children.items()} == {
        "rate_limit": ["ip", "phone"],
        "messaging_configuration": ["US", "all"],
        "webhook": ["audit"],
    }
    assert [b.fields for b in loaded.children["rate_limit"][1].children["bucket"]] == [
        {"interval": 60, "max": 3},
        {"interval": 3600, "max": 10},
    ]
    assert list(loaded.children["rate_limit"][0].children["bucket"]) == []


def test_keys_follow_the_declaration_order_then_child_lists() -> None:
    service = live(
        SERVICE,
        SID_A,
        full_children(),
        verify_event_subscription_enabled=True,
        friendly_name="A",
        code_length=4,
    )
    [document] = yaml.safe_load(render_config([service], schema_ref="s.json"))["services"]
    assert list(document) == [
        "friendly_name",
        "code_length",
        "verify_event_subscription_enabled",
        "rate_limits",
        "messaging_configurations",
        "webhooks",
    ]


def test_shared_names_are_pinned_with_a_comment_and_order_is_stable() -> None:
    a, b = live(SERVICE, SID_A, friendly_name="Twin"), live(SERVICE, SID_B, friendly_name="Twin")
    other = live(SERVICE, "VA" + "c" * 32, friendly_name="Alone")
    shared = {"Twin": [SID_A, SID_B]}
    text = render_config([b, other, a], schema_ref="s.json", shared=shared)
    assert text == render_config([a, b, other], schema_ref="s.json", shared=shared)
    lines = text.splitlines()
    assert lines[:4] == [
        "# yaml-language-server: $schema=s.json",
        "# Imported from the live account by `verifyctl import`.",
        "version: 1",
        "services:",
    ]
    comment = ["  # 2 live services are named 'Twin'; the sid pin says which one:", f"  # {SID_A}, {SID_B}"]
    assert lines[4:] == [
        "  - friendly_name: Alone",
        "    rate_limits: []",
        "    messaging_configurations: []",
        "    webhooks: []",
        *comment,
        "  - friendly_name: Twin",
        f"    sid: {SID_A}",
        "    rate_limits: []",
        "    messaging_configurations: []",
        "    webhooks: []",
        *comment,
        "  - friendly_name: Twin",
        f"    sid: {SID_B}",
        "    rate_limits: []",
        "    messaging_configurations: []",
        "    webhooks: []",
    ]
    assert [r.id for r in load_back(text)] == [None, SID_A, SID_B]


def test_no_services_is_an_empty_list() -> None:
    text = render_config([], schema_ref="s.json")
    assert text.endswith("version: 1\nservices: []\n") and load_back(text) == []


def test_slugs_and_split_file_names() -> None:
    assert slug("Acme Login") == "acme-login"
    assert slug("  Crème brûlée -- 2FA! ") == "creme-brulee-2fa"
    assert slug("日本") == "service"
    twins = [
        live(SERVICE, SID_B, friendly_name="Acme Login"),
        live(SERVICE, SID_A, friendly_name="acme login"),
    ]
    names = [
        name for name, _ in split_file_names([*twins, live(SERVICE, "VA" + "c" * 32, friendly_name="Other")])
    ]
    assert names == ["acme-login-bbbbbbbb.yaml", "acme-login-aaaaaaaa.yaml", "other.yaml"]
    # Sids whose last 8 digits agree fall back to the whole sid.
    close = [
        live(SERVICE, "VA1" + "f" * 31, friendly_name="X"),
        live(SERVICE, "VA2" + "f" * 31, friendly_name="X"),
    ]
    assert [n for n, _ in split_file_names(close)] == [f"x-va1{'f' * 31}.yaml", f"x-va2{'f' * 31}.yaml"]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


@settings(max_examples=examples(60), deadline=None)
@given(tts_name=TEXT, issuer=TEXT)
# Texts that YAML 1.1 writes plain but the loader's YAML 1.2 core schema reads as numbers or booleans.
@example(tts_name="0E0", issuer="1e5")
@example(tts_name="0o17", issuer=".5")
def test_any_live_text_loads_back_unchanged(tts_name: str, issuer: str) -> None:
    service = live(SERVICE, SID_A, friendly_name="Acme", tts_name=tts_name, totp__issuer=issuer)
    [loaded] = load_back(render_config([service], schema_ref="s.json"))
    assert (loaded.fields["tts_name"], loaded.fields["totp.issuer"]) == (tts_name, issuer)
