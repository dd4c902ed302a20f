"""Benchmark of a fleet: 1,000 subaccounts x 3 services at 100 ms latency, a per-account cap of 8.

Run from the repository root:  python tests/benchmarks/fleet.py [--members N] [--latency-ms L]

Each verifyctl command runs as a process of its own (`python -m verifyctl`), as CI runs it, and the
emulator in another, so that the figures are the CLI's alone: wall time, CPU (user + system, from
wait4), peak RSS (ru_maxrss) and, from the emulator's request log, the requests it sent. It measures
apply of the whole fleet from empty, plan of the applied fleet (against its round-trip bound), and
4 shards planned in parallel (which must cover every member exactly once). It prints the figures;
nothing is timed as a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import yaml  # noqa: E402

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402

PARENT = ("AC" + "f1" * 16, "bench-parent-token-" + "9" * 13)
TOKEN_VARIABLE = "PARENT_TWILIO_AUTH_TOKEN"
# The goals of the fleet issue.
PLAN_BOUND_FACTOR = 1.5
RSS_GOAL_BYTES = 1024**3
CPU_GOAL_MS = 0.3


@dataclass
class Run:
    """One verifyctl process: how it ended and what it cost."""

    command: str
    exit_code: int
    wall: float
    cpu: float
    max_rss: int  # bytes
    requests: int
    stdout: str
    stderr: str

    @property
    def cpu_per_request_ms(self) -> float:
        return self.cpu / self.requests * 1000 if self.requests else float("nan")


def write_configuration(directory: Path, services: int) -> Path:
    """The fleet's files: the environment `tenants` (every subaccount of the parent named tenant-*) and
    `services` services per member, each with a rate limit and a bucket, named after the member."""
    environments = {
        "environments": {
            "tenants": {
                "subaccounts_of": {
                    "account_sid": PARENT[0],
                    "credentials": {"auth_token_env": TOKEN_VARIABLE},
                },
                "select": {"friendly_name": "tenant-*"},
            }
        }
    }
    declared = [
        {
            # A friendly name holds at most 4 digits (an API limit): the member's name has them all.
            "friendly_name": f"${{MEMBER_NAME}} Login {chr(ord('A') + index)}",
            "code_length": 6,
            "environments": ["tenants"],
            "rate_limits": [
                {"unique_name": "end_user_phone", "buckets": [{"max": 5, "interval": 60}]},
            ],
        }
        for index in range(services)
    ]
    (directory / "environments.yaml").write_text(yaml.safe_dump({"version": 1, **environments}))
    (directory / "verifyctl.yaml").write_text(yaml.safe_dump({"version": 1, "services": declared}))
    return directory


@dataclass
class Started:
    """A verifyctl process and the files its stdout and stderr go to."""

    process: subprocess.Popen[str]
    out: IO[str]
    err: IO[str]


def run(emulator: EmulatorProcess, words: list[str], directory: Path) -> Started:
    """`verifyctl WORDS` as a process of its own; its output goes to files (a thousand members' progress
    lines fill a pipe that is not read while the process runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    env.update({TOKEN_VARIABLE: PARENT[1], "PYTHONPATH": str(REPO_ROOT)})
    argv = [sys.executable, "-m", "verifyctl", *words, "--api-url", emulator.base_url, "--", str(directory)]
    out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed by finish)
    err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    return Started(subprocess.Popen(argv, env=env, stdout=out, stderr=err, text=True), out, err)


def finish(started_process: Started, command: str, started: float) -> Run:
    """Wait for the process and read its resource use from wait4 (its own, not this process's)."""
    process = started_process.process
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    outputs = []
    for stream in (started_process.out, started_process.err):
        stream.seek(0)
        outputs.append(stream.read())
        stream.close()
    return Run(
        command,
        process.returncode,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,  # kilobytes on Linux
        0,
        outputs[0],
        outputs[1],
    )


def measured(emulator: EmulatorProcess, words: list[str], directory: Path) -> Run:
    emulator.clear_requests()
    started = time.perf_counter()
    done = finish(run(emulator, words, directory), " ".join(words), started)
    done.requests = len(emulator.requests())
    return done


def members_of(plan_json: str) -> list[str]:
    data: dict[str, Any] = json.loads(plan_json)
    return [str(member["name"]) for member in data["members"]]


def line(label: str, done: Run) -> str:
    return (
        f"{label:<28} exit {done.exit_code}  {done.wall:7.2f} s wall  {done.cpu:7.2f} s CPU  "
        f"{done.requests:6d} requests  {done.cpu_per_request_ms:5.3f} ms CPU/request  "
        f"peak RSS {done.max_rss / 2**20:6.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--services", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--cap", type=int, default=8, help="the emulator's per-account concurrency cap")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument(
        "--global-ceiling",
        type=int,
        default=0,
        help="the global in-flight ceiling (default: verifyctl's)",
    )
    parser.add_argument("--verbose", action="store_true", help="print each command's stderr")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="plan once more under py-spy (pip install py-spy), its collapsed stacks written to FILE",
    )
    args = parser.parse_args(argv)
    ceiling = args.global_ceiling or default_ceiling()
    latency = args.latency_ms / 1000
    names = [f"tenant-{i:04d}" for i in range(args.members)]
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(
            [PARENT],
            latency_ms=args.latency_ms,
            max_concurrency=args.cap,
            concurrency_retry_after=0,
            subaccounts={PARENT[0]: names},
            max_subaccounts=max(1000, args.members),
            request_log_size=1_000_000,
        ) as emulator,
    ):
        directory = write_configuration(Path(tmp), args.services)
        print(
            f"fleet of {args.members} members x {args.services} services, latency {args.latency_ms:g} ms, "
            f"per-account cap {args.cap}, global in-flight ceiling {ceiling}"
        )
        applied = measured(emulator, ["apply", "--env", "tenants", "--auto-approve"], directory)
        print(line("apply from empty", applied))
        planned = measured(emulator, ["plan", "--env", "tenants", "--detailed-exitcode"], directory)
        print(line("plan (no changes)", planned))
        for done in (applied, planned):
            if args.verbose or done.exit_code not in (0,):
                print(done.stderr[-3000:], file=sys.stderr)
        # The plan's bound: its requests over the global ceiling, or the chain of dependent round trips
        # (the parent's pages of subaccounts, then a member's services, rate limits, buckets).
        pages = math.ceil((args.members + 1) / 1000)
        chain = pages + 3
        by_work = planned.requests / ceiling * latency
        bound = max(by_work, chain * latency)
        print(
            f"plan bound: max({planned.requests} requests / {ceiling} x {args.latency_ms:g} ms = "
            f"{by_work:.2f} s, "
            f"{chain} dependent round trips = {chain * latency:.2f} s) = {bound:.2f} s; "
            f"plan took {planned.wall / bound:.2f}x the bound (goal <= {PLAN_BOUND_FACTOR}x)"
        )
        print(
            f"peak RSS {max(applied.max_rss, planned.max_rss) / 2**20:.0f} MiB (goal <= 1024 MiB); "
            f"client CPU per request: plan {planned.cpu_per_request_ms:.3f} ms, apply "
            f"{applied.cpu_per_request_ms:.3f} ms (goal <= {CPU_GOAL_MS} ms)"
        )
        if args.profile:
            profile(emulator, directory, args.profile)
        emulator.clear_requests()
        started = time.perf_counter()
        shards = [
            run(
                emulator,
                ["plan", "--env", "tenants", "--shard", f"{k}/{args.shards}", "--format", "json"],
                directory,
            )
            for k in range(1, args.shards + 1)
        ]
        ended = [finish(process, f"shard {k}", started) for k, process in enumerate(shards, start=1)]
        wall = time.perf_counter() - started
        covered = [name for done in ended for name in members_of(done.stdout)]
        exact = sorted(covered) == sorted(names)
        sizes = ", ".join(str(len(members_of(done.stdout))) for done in ended)
        print(
            f"{args.shards} shards in parallel: {wall:.2f} s wall, members per shard {sizes}; "
            f"cover the fleet exactly once: {exact}; CPU {sum(d.cpu for d in ended):.2f} s in all, "
            f"peak RSS {max(d.max_rss for d in ended) / 2**20:.0f} MiB"
        )
        ok = exact and applied.exit_code == 0 and planned.exit_code == 0
    return 0 if ok else 1


def profile(emulator: EmulatorProcess, directory: Path, out: str) -> None:
    """A plan of the fleet sampled by py-spy (every thread, idle ones left out): its hottest frames."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    env.update({TOKEN_VARIABLE: PARENT[1], "PYTHONPATH": str(REPO_ROOT)})
    words = ["plan", "--env", "tenants", "--api-url", emulator.base_url, "--", str(directory)]
    spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--format", "raw", "-r", "250", "-o", out]
    command = [*spy, "--", sys.executable, "-m", "verifyctl", *words]
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    own: dict[str, int] = {}
    total = 0
    for entry in Path(out).read_text(encoding="utf-8").splitlines():
        stack, _, count = entry.rpartition(" ")
        frame = stack.rsplit(";", 1)[-1]
        own[frame] = own.get(frame, 0) + int(count)
        total += int(count)
    print(f"profile of a plan ({total} samples), the frames that held the CPU most:")
    for frame, samples in sorted(own.items(), key=lambda item: -item[1])[:25]:
        print(f"  {samples / total:6.1%}  {frame}")


def default_ceiling() -> int:
    from verifyctl.cli import options

    return int(getattr(options, "DEFAULT_FLEET_IN_FLIGHT", options.DEFAULT_PARALLELISM))


if __name__ == "__main__":
    raise SystemExit(main())
