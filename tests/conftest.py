"""Suite-wide settings: Hypothesis runs derandomized with no example database unless a profile says otherwise.

`python -m pytest` (the README's command and CI's) uses the `ci` profile: the same examples on every
machine and every run, nothing replayed from an earlier run's `.hypothesis/`. A longer, randomized hunt
is opt-in: `python -m pytest --hypothesis-profile explore tests/badinput tests/unit/config`.
The suite runs on pytest-xdist workers (`-n auto` in pyproject.toml), each of which loads this file, so
each applies the profile. The evidence suites count in the workers; the counts travel back to the
controller, which prints them at the end. The one `emulator` fixture lives here too.
"""

from __future__ import annotations

import compileall
import gc
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import verifyctl
from tests.chaos.evidence import export, merge, report
from verifyctl.emulator import EmulatorServer

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile("ci")

# verifyctl runs with the cycle collector off (verifyctl/cli/entry.py). A test that loads 10,000
# services in-process spent a third of its CPU in it (4.6 s, 3.3 s with this), walking the worker's
# heap again and again; collecting after 50,000 allocations rather than 700 still frees cycles.
gc.set_threshold(50_000, 20, 20)

# The evidence sections that close the run's output, in this order: (title, prefix of their counts).
EVIDENCE = (
    ("secrets evidence", "secrets: "),
    ("chaos evidence", "chaos: "),
    ("bad-input evidence", "badinput: "),
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Write verifyctl's bytecode once, before any test: the hundreds of `verifyctl` processes the suite
    starts then load it rather than each compiling every module again, as they would under
    PYTHONDONTWRITEBYTECODE=1 (about 0.09 s of CPU a process, measured)."""
    if not hasattr(session.config, "workerinput"):  # the xdist controller, or a run without xdist
        compileall.compile_dir(Path(verifyctl.__file__).parent, quiet=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each worker starts on its share of the tests marked slow.

    pytest-xdist's worksteal hands the workers equal runs of the collected order, then moves tests
    from the busiest to the idle; a long test that starts last ends the run alone. So the order is
    cut into the workers' runs here, and each run begins with every n-th slow test.
    """
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for worker in range(workers):
        share = slow[worker::workers]
        size = (len(items) - len(ordered)) // (workers - worker) - len(share)
        ordered += share + rest[:size]
        rest = rest[size:]
    items[:] = ordered + rest


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core. Many tests wait on something (a `verifyctl` process they started,
    an emulator's latency, the last check's second after a create); a second worker per core runs
    other tests meanwhile."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cores


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, prefix in EVIDENCE:
        report(terminalreporter, title, prefix)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: hand this worker's evidence counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["evidence"] = json.dumps(export())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the xdist controller: add up each finished worker's evidence counts."""
    payload = getattr(node, "workeroutput", {}).get("evidence")
    if isinstance(payload, str):
        merge(json.loads(payload))


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A running emulator on 127.0.0.1, port 0, for one test; stopped after it.

    Options of EmulatorServer come from indirect parametrization or a module's `EMULATOR_OPTIONS`:
    `@pytest.mark.parametrize("emulator", [{"accounts": [...]}], indirect=True)`. 429s ask for no wait
    (`retry_after_seconds=0`) unless a test says otherwise, so no test sleeps on a Retry-After.
    """
    options: dict[str, Any] = {"retry_after_seconds": 0}
    options.update(getattr(request.module, "EMULATOR_OPTIONS", {}))
    options.update(getattr(request, "param", {}) or {})
    with EmulatorServer(host="127.0.0.1", port=0, **options) as server:
        yield server
