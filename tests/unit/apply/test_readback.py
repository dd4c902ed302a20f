"""The read-back comparison (pure): a write's answer against what was sent, as the plan's diff compares."""

from __future__ import annotations

from typing import Any

import pytest

from verifyctl.apply.executor import ApplyResult, Outcome
from verifyctl.apply.readback import Difference, read_back, sent_fields
from verifyctl.plan.diff import make_plan
from verifyctl.plan.model import Action, Change
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import SERVICE, WEBHOOK
from verifyctl.resources.records import DesiredRecord, live_record

SERVICE_AT = Address.parse("service[Acme]")
HOOK_AT = Address.parse("service[Acme]/webhook[audit]")
SID = "VA" + "1" * 32


def create(address: Address, after: dict[str, Any]) -> Change:
    return Change(address, Action.CREATE, None, after, tuple(after))


def test_a_create_stored_as_sent_reads_back_empty() -> None:
    change = create(SERVICE_AT, {"friendly_name": "Acme", "code_length": 6, "totp.issuer": "Acme Inc"})
    answer = {"sid": SID, "friendly_name": "Acme", "code_length": 6, "totp": {"issuer": "Acme Inc"}}
    assert read_back(change, answer) == ()


def test_a_value_stored_otherwise_is_one_difference_per_field() -> None:
    change = create(SERVICE_AT, {"friendly_name": "Acme ", "code_length": 6, "totp.issuer": "acme"})
    answer = {"friendly_name": "Acme", "code_length": 6, "totp": {"issuer": "Acme"}}
    assert read_back(change, answer) == (
        Difference(SERVICE_AT, "friendly_name", "Acme ", "Acme"),
        Difference(SERVICE_AT, "totp.issuer", "acme", "Acme"),
    )


# Values the diff takes as equal though the answer spells them otherwise: no false alarm.
EQUAL_SPELLED_OTHERWISE = [
    # A set answered in another order.
    (
        WEBHOOK,
        {"friendly_name": "audit", "event_types": ["challenge.approved", "factor.created"]},
        {"friendly_name": "audit", "event_types": ["factor.created", "challenge.approved"]},
    ),
    # A number and a flag answered as text.
    (
        SERVICE,
        {"friendly_name": "Acme", "code_length": 6, "psd2_enabled": True},
        {"friendly_name": "Acme", "code_length": "6", "psd2_enabled": "true"},
    ),
    # Origins sent as one comma-separated string, answered as a JSON array.
    (
        SERVICE,
        {
            "friendly_name": "Acme",
            "passkeys.relying_party.origins": ["https://a.example", "https://b.example"],
        },
        {
            "friendly_name": "Acme",
            "passkeys": {"relying_party": {"origins": ["https://a.example", "https://b.example"]}},
        },
    ),
]


@pytest.mark.parametrize(("kind", "sent", "answer"), EQUAL_SPELLED_OTHERWISE)
def test_what_the_diff_takes_as_equal_reads_back_as_written(
    kind: Any, sent: dict[str, Any], answer: dict[str, Any]
) -> None:
    address = SERVICE_AT if kind is SERVICE else HOOK_AT
    assert read_back(create(address, sent), answer) == ()
    # The plan made from the file and the answer as the live object agrees: nothing to change.
    desired = DesiredRecord(kind, sent[kind.identity], sent)
    live = live_record(kind, {"sid": SID, **answer})
    if kind is WEBHOOK:
        desired = DesiredRecord(SERVICE, "Acme", {"friendly_name": "Acme"}, children={"webhook": (desired,)})
        live = live_record(SERVICE, {"sid": SID, "friendly_name": "Acme"}).with_children({"webhook": [live]})
    assert make_plan([desired], [live.with_children({**live.children})]).changes == ()


def test_a_difference_read_back_is_the_change_the_next_plan_shows() -> None:
    sent = {"friendly_name": "Acme", "code_length": 6, "tts_name": "Alice "}
    answer = {"sid": SID, "friendly_name": "Acme", "code_length": "6", "tts_name": "Alice"}
    plan = make_plan([DesiredRecord(SERVICE, "Acme", sent)], [live_record(SERVICE, answer).with_children({})])
    assert [c.changed_fields for c in plan.changes] == [("tts_name",)]
    assert [d.field for d in read_back(create(SERVICE_AT, sent), answer)] == ["tts_name"]


def test_an_update_reads_back_only_the_fields_it_sent() -> None:
    before = {"friendly_name": "Acme", "code_length": 6, "tts_name": "Bob"}
    after = {**before, "code_length": 8}
    change = Change(SERVICE_AT, Action.UPDATE, before, after, ("code_length",), SID)
    assert sent_fields(change) == ("code_length",)
    # tts_name was not sent (another writer may have changed it since): not this write's difference.
    assert read_back(change, {"friendly_name": "Acme", "code_length": 8, "tts_name": "Carol"}) == ()
    assert read_back(change, {"friendly_name": "Acme", "code_length": 10}) == (
        Difference(SERVICE_AT, "code_length", 8, 10),
    )


def test_a_field_not_sent_is_not_read_back() -> None:
    # None is never sent (the form API has no null): the answer's default is not a difference.
    change = create(SERVICE_AT, {"friendly_name": "Acme", "tts_name": None})
    assert sent_fields(change) == ("friendly_name",)
    assert read_back(change, {"friendly_name": "Acme", "tts_name": "Alice"}) == ()


def test_a_difference_says_what_to_write_in_the_file() -> None:
    line = Difference(SERVICE_AT, "friendly_name", "Acme  Login ", "Acme Login").describe()
    assert line == (
        'service[Acme].friendly_name: sent "Acme  Login ", stored "Acme Login":'
        ' write "Acme Login" in the file'
    )
    listed = Difference(HOOK_AT, "event_types", ["a"], ["a", "b"]).describe()
    assert listed.endswith('stored ["a", "b"]: write ["a", "b"] in the file')


def test_a_value_stored_as_nothing_says_to_remove_the_field() -> None:
    line = Difference(SERVICE_AT, "tts_name", "Alice", None).describe()
    assert (
        line == 'service[Acme].tts_name: sent "Alice", stored null:'
        " remove tts_name from the file (Twilio keeps no value for it)"
    )


def test_a_url_is_shown_masked_as_the_plan_masks_it() -> None:
    sent = "https://user:hunter2@Hooks.Example.com/v?token=abc"
    stored = "https://user:hunter2@hooks.example.com/v?token=abc"
    line = Difference(HOOK_AT, "webhook_url", sent, stored).describe()
    assert "hunter2" not in line and "token=abc" not in line
    assert 'stored "https://(sensitive value)@hooks.example.com/v?(sensitive value)"' in line
    assert line.endswith("write the stored value in the file (its sensitive parts are not shown)")


def test_a_difference_inside_a_masked_part_is_not_shown() -> None:
    line = Difference(
        HOOK_AT, "webhook_url", "https://u:Secret@h.example/v", "https://u:secret@h.example/v"
    ).describe()
    assert "ecret" not in line
    assert "sent and stored differ in a sensitive part, which is not shown" in line


def test_a_secret_respelled_by_the_api_is_never_shown() -> None:
    # The stored value no longer holds the secret as written, so masking it alone would show it.
    line = Difference(SERVICE_AT, "tts_name", "Pa55 word ", "Pa55 word").describe(secrets=["Pa55 word "])
    assert "Pa55" not in line
    assert "differ in a sensitive part" in line


def test_the_result_counts_each_change_read_back_once() -> None:
    change = create(SERVICE_AT, {"friendly_name": "Acme"})
    found = Difference(SERVICE_AT, "friendly_name", "Acme", "acme")
    other = Difference(HOOK_AT, "friendly_name", "audit", "Audit")
    result = ApplyResult(
        [
            Outcome(change, "applied", read_back=(found,)),
            # Created again under a kept parent: the last answer is the one that counts.
            Outcome(change, "applied", read_back=()),
            Outcome(create(HOOK_AT, {"friendly_name": "audit"}), "applied", read_back=(other,)),
            Outcome(Change(HOOK_AT, Action.DELETE, {}, None, (), "YW1"), "applied"),
            Outcome(create(Address.parse("service[B]"), {"friendly_name": "B"}), "failed"),
        ]
    )
    assert [str(o.change.address) for o in result.read_back] == [
        "service[Acme]",
        "service[Acme]/webhook[audit]",
    ]
    assert result.stored_differently == [other]
