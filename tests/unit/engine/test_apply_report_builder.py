"""The apply report built from what a run knew: each change's last word, its writes, and nothing secret."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import jsonschema

from tests.support.apply_reports import SCHEMA
from verifyctl.apply.executor import NOT_STARTED, ApplyResult, Outcome
from verifyctl.client.exchanges import Exchange
from verifyctl.engine.apply_report import ApplyRecord, RunBy, build_report
from verifyctl.errors import ApiError
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.resources.addresses import Address

SECRET = "SENTINEL-hook-token-77"
SID = "VA" + "1" * 32
RQ = ["RQ" + f"{n:032x}" for n in range(4)]
DIGEST = "sha256:" + "0" * 64


def change(address: str, action: Action = Action.CREATE, **extra: object) -> Change:
    after = None if action is Action.DELETE else {"friendly_name": "x"}
    return Change(Address.parse(address), action, None, after, (), **extra)  # type: ignore[arg-type]


def test_each_change_gets_its_last_word_and_every_write_sent_for_it() -> None:
    service = change("service[A]", Action.DELETE, id=SID)
    child = change("service[A]/webhook[w]", Action.DELETE, id="YW" + "2" * 32, deleted_with=service.address)
    created = change("service[B]")
    held = change("service[C]")
    dependent = change("service[B]/webhook[w]")
    refused = ApiError(
        status=400,
        code=60200,
        message=f"Invalid parameter: https://user:{SECRET}@h.example/?t={SECRET} and {SECRET}",
        more_info=None,
        method="POST",
        path="/v2/Services",
    )
    result = ApplyResult(
        [
            Outcome(
                service, "applied", "deleted", 0.004, requests=(Exchange("DELETE", 204, RQ[0]),), sid=SID
            ),
            Outcome(
                created, "applied", "created VA3", 0.01, requests=(Exchange("POST", None, None),), sid="VA3"
            ),
            # Reported again after a confirmation failed: its write is still listed, its last word wins.
            Outcome(created, "failed", f"could not confirm it: {SECRET}", error=refused),
            Outcome(child, "applied", "deleted with service[A]"),
            Outcome(held, NOT_STARTED, "the run was interrupted first"),
            Outcome(dependent, "skipped", "a change it depends on failed"),
        ]
    )
    plan = Plan(
        changes=(service, child, created, held, dependent),
        account_sid="AC" + "f" * 32,
        api_url=f"https://user:{SECRET}@verify.example",
        configuration=DIGEST,
        secrets=frozenset({SECRET}),
    )
    record = ApplyRecord(
        RunBy("local", "auditor"),
        datetime(2026, 12, 7, tzinfo=timezone.utc),
        plan=plan,
        result=result,
        exit_code=130,
        interrupted=True,
        reason=f"Interrupted ({SECRET})",
    )

    report = build_report(record)

    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    text = json.dumps(report)
    assert SECRET not in text and "user:" not in text
    assert report["outcome"] == "interrupted" and report["account"]["sid"] == "AC…ffff"
    entries = {entry["address"]: entry for entry in report["changes"]}
    results = [entries[a]["result"] for a in entries]
    assert results == ["applied", "deleted_with", "failed", "not_started", "skipped"]
    skipped = entries["service[B]/webhook[w]"]
    assert (skipped["detail"], skipped["error"], skipped["request_id"]) == (
        "a change it depends on failed",
        None,
        None,
    )
    deleted = entries["service[A]"]
    assert (deleted["sid"], deleted["request_id"], deleted["http_status"], deleted["duration_ms"]) == (
        SID,
        RQ[0],
        204,
        4,
    )
    failed = entries["service[B]"]
    assert failed["sid"] == "VA3"
    assert failed["requests"] == [{"method": "POST", "http_status": None, "request_id": None}]
    assert (failed["request_id"], failed["http_status"]) == (None, None)  # no answer came
    assert (failed["error"]["http_status"], failed["error"]["code"]) == (400, 60200)
    assert "***" in failed["error"]["message"]
    assert entries["service[C]"]["requests"] == [] and entries["service[C]"]["sid"] is None
    assert report["summary"] == {"applied": 1, "failed": 1, "skipped": 1, "not_started": 1, "deleted_with": 1}


def test_without_a_result_every_change_is_held_back_with_the_reason() -> None:
    plan = Plan(
        changes=(change("service[A]"), change("service[B]", Action.DELETE, id=SID)), configuration=DIGEST
    )
    record = ApplyRecord(
        RunBy("local"), datetime.now(timezone.utc), plan=plan, exit_code=3, reason="refused: why"
    )

    report = build_report(record)

    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["outcome"] == "refused"
    assert [(c["result"], c["detail"], c["sid"]) for c in report["changes"]] == [
        ("not_started", "held back: refused: why", None),
        ("not_started", "held back: refused: why", SID),
    ]
