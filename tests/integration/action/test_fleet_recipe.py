"""The fleet recipe end to end: on a merge, a matrix of 4 shards plans and applies each shard's saved
plan, through the action, against the emulator's subaccounts (the pull-request half only plans: its
conditions are checked in tests/unit/examples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.action.support import ACCOUNT, ROOT, FakeGitHub
from tests.integration.action.workflow_runner import Runner, run_workflow
from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer

TENANTS = [f"tenant-{i}" for i in range(6)]
EMULATOR_OPTIONS = {"accounts": [ACCOUNT], "subaccounts": {ACCOUNT[0]: TENANTS}}
WORKFLOW = ROOT / "examples" / "ci" / ".github" / "workflows" / "verifyctl-fleet.yml"
SECRETS = {"tenants": {"PARENT_TWILIO_AUTH_TOKEN": ACCOUNT[1]}}


def make_repository(repo: Path, emulator: EmulatorServer) -> None:
    (repo / "verify").mkdir(parents=True)
    (repo / "verify" / "environments.yaml").write_text(
        "version: 1\nenvironments:\n  tenants:\n    subaccounts_of:\n"
        f"      account_sid: {ACCOUNT[0]}\n"
        "      credentials: {auth_token_env: PARENT_TWILIO_AUTH_TOKEN}\n"
        f"    api_url: {emulator.base_url}\n"  # the emulator stands in for api.twilio.com
        '    select: {friendly_name: "tenant-*"}\n',
        encoding="utf-8",
    )
    (repo / "verify" / "services.yaml").write_text(
        'version: 1\nservices:\n  - friendly_name: "${MEMBER_NAME} Login"\n    environments: [tenants]\n'
        "    code_length: 6\n    rate_limits: []\n",
        encoding="utf-8",
    )


@pytest.mark.slow
def test_on_a_merge_each_shard_applies_its_saved_plan_and_every_member_is_applied_once(
    emulator: EmulatorServer, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    make_repository(repo, emulator)

    merge = Runner(repo, tmp_path / "main", "push", {}, SECRETS, fake_github.url, "t")
    jobs = run_workflow(WORKFLOW, merge)
    assert [job.succeeded for job in jobs] == [True] * 4, [job.log for job in jobs]
    planned = []
    for job in jobs:
        saved = json.loads(Path(job.step("Plan").outputs["plan-file"]).read_text(encoding="utf-8"))
        planned += [member["name"] for member in saved["members"]]
        applied = job.step("Apply the saved plan in waves").stdout
        assert f"--shard {job.name[-2]}/4 --wave-size 50" in applied
    assert sorted(planned) == TENANTS  # the 4 shards cover every member exactly once
    for sid, token, name in emulator.subaccounts(ACCOUNT[0]):
        services = Api(emulator.base_url, (sid, token)).get("/v2/Services").json()["services"]
        assert [s["friendly_name"] for s in services] == [f"{name} Login"]
