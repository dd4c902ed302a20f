"""Masked values in plans: digests kept, saved plans read back, masked values restored from the files."""

from __future__ import annotations

import pytest

from verifyctl.apply.restore import restore
from verifyctl.errors import RefusedError, StalePlanError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.plan.sensitive import SENSITIVE, digest, same_fields
from verifyctl.resources.addresses import Address
from verifyctl.resources.kinds import WEBHOOK
from verifyctl.resources.records import DesiredRecord

REAL = "https://h.example/a?token=abc"
HOOK = Address.parse("service[A]/webhook[audit]")


def create() -> Change:
    after = {"friendly_name": "audit", "webhook_url": REAL}
    return Change(HOOK, Action.CREATE, None, after, tuple(after))


def saved(plan: Plan) -> Plan:
    return Plan.from_dict(plan.to_dict()).plan


def test_a_saved_plan_holds_the_digest_not_the_value() -> None:
    data = Plan(changes=(create(),)).to_dict()
    (change,) = data["changes"]
    assert data["format_version"] == 3
    assert change["after"]["webhook_url"] == f"https://h.example/a?{SENSITIVE}"
    assert change["sensitive"] == {"after": {"webhook_url": digest(REAL)}}
    assert REAL not in str(data)
    # Masking a plan read back keeps the digests of the real values, not of the masked ones.
    assert saved(saved(Plan(changes=(create(),)))).changes[0].sensitive == change["sensitive"]


def test_a_version_2_plan_still_loads() -> None:
    data = Plan(changes=()).to_dict()
    data["format_version"] = 2
    assert Plan.from_dict(data).plan.changes == ()
    data["format_version"] = 4
    with pytest.raises(ValueError, match="format_version"):
        Plan.from_dict(data)


def test_masked_fields_are_compared_by_digest() -> None:
    live = {"webhook_url": REAL, "status": "enabled"}
    shown = {"webhook_url": f"https://h.example/a?{SENSITIVE}", "status": "enabled"}
    digests = {"webhook_url": digest(REAL)}
    assert same_fields(live, shown, digests)
    assert not same_fields({**live, "webhook_url": REAL + "x"}, shown, digests)
    assert not same_fields({**live, "status": "disabled"}, shown, digests)


def test_masked_values_come_back_from_the_files_by_digest() -> None:
    plan = saved(Plan(changes=(create(),)))
    with pytest.raises(RefusedError, match="give the configuration files too"):
        restore(plan, None)
    hook = DesiredRecord(WEBHOOK, "audit", {"friendly_name": "audit", "webhook_url": REAL})
    service = DesiredRecord(WEBHOOK, "A", {}, children={"webhook": [hook]})
    (change,) = restore(plan, [service]).changes
    assert change.after is not None and change.after["webhook_url"] == REAL
    rotated = DesiredRecord(WEBHOOK, "audit", {"friendly_name": "audit", "webhook_url": REAL + "2"})
    with pytest.raises(StalePlanError, match="webhook_url"):
        restore(plan, [rotated])
