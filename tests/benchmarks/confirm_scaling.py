"""Benchmark: apply's client CPU from 1,000 to 10,000 new services, with and without confirming creates.

Run from the repository root:  python tests/benchmarks/confirm_scaling.py [--sizes 1000 10000]

Each size is applied from an empty account by a `verifyctl apply --auto-approve` process of its own, whose
CPU (user + system, from os.wait4) is reported: once with `--local` (the embedded emulator, its only
writer: nothing to confirm, emulator work included in the figure) and once against an emulator served by
another process (another writer could race: every create is confirmed, emulator work not included).
Each service has one webhook, so that both confirming lists (services, then webhooks) are exercised.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from tests.benchmarks.workload import service_name  # noqa: E402

ACCOUNT = ("AC" + "c" * 32, "bench-token-confirm")


def document(services: int) -> dict[str, object]:
    webhook = {"event_types": ["factor.created"], "webhook_url": "https://hooks.example.com/a"}
    return {
        "version": 1,
        "services": [
            {"friendly_name": service_name(n), "webhooks": [{"friendly_name": "audit", **webhook}]}
            for n in range(services)
        ],
    }


def timed_apply(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, float, float]:
    """Exit code, CPU seconds and wall seconds of one apply process."""
    command = [sys.executable, "-m", "verifyctl", "apply", "--auto-approve", "--parallelism", "16", *args]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(error.decode(errors="replace")[-300:])
    return process.returncode, usage.ru_utime + usage.ru_stime, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    options = parser.parse_args(argv)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    base["PYTHONPATH"] = str(REPO_ROOT)
    figures: dict[tuple[str, int], float] = {}
    for services in options.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(scratch)
            path = workdir / "verifyctl.yaml"
            path.write_text(yaml.safe_dump(document(services), sort_keys=False), encoding="utf-8")
            code, cpu, wall = timed_apply(["--local", str(path)], base, workdir)
            figures[("local", services)] = cpu
            print(f"apply --local, {services} services: exit {code}, {cpu:.2f} s CPU, {wall:.2f} s wall")
            with EmulatorProcess([ACCOUNT]) as emulator:
                env = dict(base, TWILIO_ACCOUNT_SID=ACCOUNT[0], TWILIO_AUTH_TOKEN=ACCOUNT[1])
                env["VERIFYCTL_API_URL"] = emulator.base_url
                code, cpu, wall = timed_apply([str(path)], env, workdir)
            figures[("served", services)] = cpu
            print(f"apply (confirmed), {services} services: exit {code}, {cpu:.2f} s CPU, {wall:.2f} s wall")
    small, large = min(options.sizes), max(options.sizes)
    if small != large:
        for mode in ("local", "served"):
            growth = figures[(mode, large)] / figures[(mode, small)]
            print(
                f"{mode}: CPU x{growth:.1f} from {small} to {large} services (x{large / small:.0f} services)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
