"""The apply progress counter: `[n/N]` never passes N, even when a change is reported twice."""

from __future__ import annotations

from verifyctl.apply.executor import Outcome
from verifyctl.cli.apply_cmd import Counter
from verifyctl.plan.model import Action, Address, Change


def create(address: str) -> Change:
    after = {"friendly_name": "x"}
    return Change(Address.parse(address), Action.CREATE, None, after, tuple(after))


def test_a_change_reported_again_keeps_its_number() -> None:
    lines: list[str] = []
    counter = Counter(2)
    counter.emit = lines.append
    service, hook = create("service[a]"), create("service[a].webhook[w]")
    counter(Outcome(service, "applied", "created"))
    counter(Outcome(hook, "applied", "created"))
    counter(Outcome(hook, "failed", "while creating it again under the kept service[a]: gone"))
    assert [line.split()[0] for line in lines] == ["[1/2]", "[2/2]", "[2/2]"]
    assert counter.describe() == "Applying: 2/2 done"
