"""Client CPU per request of a whole `verifyctl plan` process against an emulator in another process.

Run from the repository root:
    python tests/benchmarks/plan_cpu.py [--services 2000] [--runs 5] [--state DIR] [--split]

The emulator runs in a child process (its CPU is not counted) with its state in a SQLite file, filled
once through plain HTTP (N services, each with 2 rate limits x 2 buckets, 2 messaging configurations
and 1 webhook) and kept in `--state DIR` for later calls. Each plan is a process of its own
(`python -m verifyctl plan FILE --stats`) whose YAML matches the account, so the plan has no changes
and reads every object. Its CPU (user + system, from the operating system's accounting of the finished
child) is divided by the API requests the emulator logged during the run; --stats gives the same
count. The figure is the whole process: start-up, loading the YAML, the reads, the diff and the
rendering, as a CI job pays for them.

--split runs the plans in this process instead (verifyctl.cli.main.main) and splits their CPU into
the main thread's (load, diff, render; `time.thread_time`) and the rest, the pool's threads that
send the requests and decode the answers.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import yaml  # noqa: E402

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from tests.benchmarks.workload import AccountWriter, config_document  # noqa: E402

ACCOUNT = ("AC" + "d" * 32, "bench-token-plan-cpu")
STATS_REQUESTS = re.compile(r"Requests: (\d+) requests")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_plan(config: Path, base_url: str, options: list[str]) -> tuple[int, float, float, int, str]:
    """(exit code, CPU seconds, wall seconds, requests per --stats, stderr) of one plan process."""
    environment = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": ACCOUNT[0],
        "TWILIO_AUTH_TOKEN": ACCOUNT[1],
        "VERIFYCTL_API_URL": base_url,
    }
    command = [
        sys.executable,
        "-m",
        "verifyctl",
        "plan",
        str(config),
        "--detailed-exitcode",
        "--stats",
        *options,
    ]
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run([*command, *options], env=environment, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    found = STATS_REQUESTS.search(done.stderr)
    return done.returncode, cpu, wall, int(found.group(1)) if found else -1, done.stderr


def split_plan(config: Path, base_url: str, options: list[str]) -> tuple[int, float, float, int, str]:
    """As run_plan, in this process; the main thread's CPU share is logged."""
    from tests.benchmarks.plan_apply import run_verifyctl

    before, main_before = os.times(), time.thread_time()
    run = run_verifyctl(["plan", str(config), "--detailed-exitcode", "--stats", *options], ACCOUNT, base_url)
    main_cpu, after = time.thread_time() - main_before, os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    found = STATS_REQUESTS.search(run.stderr)
    requests = int(found.group(1)) if found else -1
    log(
        f"  main thread {main_cpu:.2f} s CPU ({main_cpu / max(requests, 1) * 1000:.3f} ms per request), "
        f"the pool's threads {cpu - main_cpu:.2f} s ({(cpu - main_cpu) / max(requests, 1) * 1000:.3f} ms)"
    )
    return run.exit_code, cpu, run.seconds, requests, run.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=2000, help="services in the account (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="plans to time (default 5)")
    parser.add_argument("--latency-ms", type=float, default=0, help="latency the emulator adds per request")
    parser.add_argument("--parallelism", type=int, help="plan's --parallelism (default: the plan's own)")
    parser.add_argument("--state", type=Path, help="directory that keeps the filled emulator state")
    parser.add_argument("--split", action="store_true", help="plans in this process: main thread vs pool")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="verifyctl-plancpu-") as tmp:
        state_dir = args.state or Path(tmp)
        state_dir.mkdir(parents=True, exist_ok=True)
        db = state_dir / f"emulator-{args.services}.sqlite"
        filled = db.exists()
        config = Path(tmp) / "verifyctl.yaml"
        config.write_text(yaml.safe_dump(config_document(args.services), sort_keys=False), encoding="utf-8")
        with EmulatorProcess([ACCOUNT], db_path=str(db), request_log_size=2_000_000) as emulator:
            if not filled:
                log(f"filling {args.services} services through the API (once per --state) ...")
                writer = AccountWriter(emulator.base_url, ACCOUNT)
                writer.populate(args.services)
                writer.close()
            emulator.set_faults(latency_ms=args.latency_ms)
            rows = []
            options = ["--parallelism", str(args.parallelism)] if args.parallelism else []
            runs = args.runs
            for attempt in range(runs):
                emulator.clear_requests()
                if args.split:
                    code, cpu, wall, stated, stderr = split_plan(config, emulator.base_url, options)
                else:
                    code, cpu, wall, stated, stderr = run_plan(config, emulator.base_url, options)
                logged = sum(1 for r in emulator.requests() if str(r["path"]).startswith("/v2/"))
                if code != 0 or stated != logged:
                    log(stderr)
                    raise SystemExit(
                        f"plan exited {code} (0 expected): {stated} requests stated, {logged} logged"
                    )
                rows.append((cpu, wall, logged))
                log(
                    f"run {attempt + 1}/{runs}: {cpu:.2f} s CPU, {wall:.2f} s wall, {logged} requests, "
                    f"{cpu / logged * 1000:.3f} ms CPU per request"
                )
    per_request = statistics.median(cpu / requests * 1000 for cpu, _, requests in rows)
    cpus = [cpu for cpu, _, _ in rows]
    print(
        f"plan of {args.services} services at {args.latency_ms:g} ms latency, {rows[0][2]} requests, "
        f"{len(rows)} run(s): "
        f"CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f}, max {max(cpus):.2f}); "
        f"{per_request:.3f} ms CPU per request (median)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
