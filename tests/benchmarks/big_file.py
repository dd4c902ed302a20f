"""Benchmark: plan of one YAML file of 10,000 services (100,000 objects), its wall and CPU time printed.

Run from the repository root:  python tests/benchmarks/big_file.py [--services N]

The account is empty (an emulator without latency in a child process), so the plan reads one
paged list of services and then loads, diffs and renders 100,000 creates: the time is verifyctl's
own work on a file of that size, not the account's. verifyctl runs in this process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import yaml  # noqa: E402

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from tests.benchmarks.plan_apply import EMPTY, log, run_verifyctl  # noqa: E402
from tests.benchmarks.workload import OBJECTS_PER_SERVICE, config_document  # noqa: E402


def plan_big_file(services: int, workdir: Path) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, CPU seconds of this process, plan's last line) of one plan."""
    path = workdir / "all.yaml"
    path.write_text(yaml.safe_dump(config_document(services), sort_keys=False), encoding="utf-8")
    with EmulatorProcess([EMPTY]) as server:
        cpu = time.process_time()
        run = run_verifyctl(["plan", str(path), "--detailed-exitcode"], EMPTY, server.base_url)
        cpu = time.process_time() - cpu
    last = run.stdout.strip().splitlines()[-1:] or run.stderr.strip().splitlines()[-1:]
    return run.exit_code, run.seconds, cpu, last[0] if last else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=10_000, help="services in the file (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="plans to time (default 3)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="verifyctl-bigfile-") as tmp:
        for attempt in range(args.repeat):
            log(f"plan of one file of {args.services} services, run {attempt + 1} of {args.repeat} ...")
            rows.append(plan_big_file(args.services, Path(tmp)))
    objects = args.services * OBJECTS_PER_SERVICE
    for code, wall, cpu, last in rows:
        print(
            f"plan, one file of {args.services} services ({objects} objects) into an empty account: "
            f"exit {code}, {wall:.2f} s wall, {cpu:.2f} s CPU; {last}"
        )
    # --detailed-exitcode: 2 means the plan was made and has changes, as it must here.
    return 0 if all(code == 2 for code, *_ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
