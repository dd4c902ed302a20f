"""Masked values in plans: digests kept, saved plans read back and compared by digest, never by value."""

from __future__ import annotations

import pytest

from verifyctl.plan.model import FORMAT_VERSION, Action, Change, Plan
from verifyctl.plan.saved import differences, saved_plan_of
from verifyctl.plan.sensitive import SENSITIVE, digest
from verifyctl.resources.addresses import Address

REAL = "https://h.example/a?token=abc"
HOOK = Address.parse("service[A]/webhook[audit]")


def create() -> Change:
    after = {"friendly_name": "audit", "webhook_url": REAL}
    return Change(HOOK, Action.CREATE, None, after, tuple(after))


def saved(plan: Plan) -> Plan:
    return saved_plan_of(plan.to_dict()).plan


def test_a_saved_plan_holds_the_digest_not_the_value() -> None:
    data = Plan(changes=(create(),)).to_dict()
    (change,) = data["changes"]
    assert data["format_version"] == FORMAT_VERSION
    assert change["after"]["webhook_url"] == f"https://h.example/a?{SENSITIVE}"
    assert change["sensitive"] == {"after": {"webhook_url": digest(REAL)}}
    assert REAL not in str(data)
    # Masking a plan read back keeps the digests of the real values, not of the masked ones.
    assert saved(saved(Plan(changes=(create(),)))).changes[0].sensitive == change["sensitive"]


def test_only_plans_of_this_format_version_load() -> None:
    data = Plan(changes=()).to_dict()
    assert saved_plan_of(data).plan.changes == ()
    for version in (2, 3, FORMAT_VERSION + 1, "4", None):
        data["format_version"] = version
        with pytest.raises(ValueError, match="format_version"):
            saved_plan_of(data)


def test_a_saved_plan_compares_equal_to_the_same_plan_made_again_by_digest() -> None:
    fresh = Plan(changes=(create(),))
    assert differences(saved(fresh), fresh) == []
    after = {"friendly_name": "audit", "webhook_url": REAL + "2"}
    rotated = Change(HOOK, Action.CREATE, None, after, tuple(after))
    # Shown the same way, but the digest of the real value differs: not the plan that was reviewed.
    assert differences(saved(fresh), Plan(changes=(rotated,))) == [f"{HOOK} (sensitive)"]
