"""Benchmark of plan and apply against the emulator with latency: wall time vs the round-trip bound.

Run from the repository root:  python tests/benchmarks/plan_apply.py [--services N] [--latency-ms L]

verifyctl runs in this process (verifyctl.cli.main.main, SystemExit caught), so interpreter start-up is
not measured; the emulator runs in a child process of its own, so its work does not compete with
verifyctl's for one interpreter lock. Request counts come from the emulator's request log.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    # Works without an install too: `python tests/benchmarks/plan_apply.py` from a fresh clone.
    sys.path.insert(0, str(REPO_ROOT))

import yaml  # noqa: E402

from tests.benchmarks.bounds import apply_from_empty_bound, plan_bound  # noqa: E402
from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from tests.benchmarks.workload import (  # noqa: E402
    BUCKETS,
    COUNTRIES,
    OBJECTS_PER_SERVICE,
    RATE_LIMITS,
    AccountWriter,
    config_document,
    desired_and_live,
)

# The targets the README quotes.
PLAN_BOUND_FACTOR = 1.25
MIN_SPEEDUP = 8.0
CPU_SERVICES = 5000
CPU_LIMIT_S = 1.0

POPULATED = ("AC" + "a" * 32, "bench-token-populated")
EMPTY = ("AC" + "b" * 32, "bench-token-empty")


@dataclass
class Row:
    measure: str
    value: str
    reference: str
    ok: bool | None  # None: informative only, no target


@dataclass
class Run:
    exit_code: int
    seconds: float
    stdout: str
    stderr: str


def run_verifyctl(args: list[str], account: tuple[str, str], base_url: str) -> Run:
    """`verifyctl ARGS` in this process against one emulator account, timed around the whole command."""
    from verifyctl.cli.main import main

    environment = {
        "TWILIO_ACCOUNT_SID": account[0],
        "TWILIO_AUTH_TOKEN": account[1],
        "VERIFYCTL_API_URL": base_url,
    }
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # As the console entry point runs a command (verifyctl/cli/entry.py): the cycle collector off.
            gc.disable()
            try:
                main(args)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        gc.enable()
        seconds = time.perf_counter() - started
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Run(code, seconds, out.getvalue(), err.getvalue())


def expect(run: Run, code: int, what: str) -> Run:
    if run.exit_code != code:
        raise SystemExit(f"{what} exited {run.exit_code}, not {code}:\n{run.stdout}\n{run.stderr}")
    return run


@contextlib.contextmanager
def counting(emulator: EmulatorProcess) -> Iterator[dict[str, int]]:
    """Counts the API requests (and the writes among them) answered inside the block."""
    emulator.clear_requests()
    counts: dict[str, int] = {}
    yield counts
    answered = [r for r in emulator.requests() if str(r["path"]).startswith("/v2/")]
    counts["requests"] = len(answered)
    counts["writes"] = sum(1 for r in answered if r["method"] in ("POST", "DELETE"))


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def cpu_diff_render(services: int, repeat: int) -> tuple[float, float, int]:
    """CPU seconds (least and median of `repeat`) of make_plan + text and JSON rendering, in memory.

    The records are built first and a full collection clears what building them left behind, so the
    timed part pays only for its own garbage, as a plan command that has just read the account does.
    """
    from verifyctl.plan.diff import make_plan
    from verifyctl.render.text import render_text

    desired, live = desired_and_live(services)
    times = []
    changes = 0
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        plan = make_plan(desired, live)
        render_text(plan)
        plan.to_json()
        times.append(time.process_time() - started)
        changes = len(plan.changes)
        del plan
    return min(times), statistics.median(times), changes


def benchmark(args: argparse.Namespace, workdir: Path) -> tuple[list[Row], dict[str, Any]]:
    n, latency_s, parallelism = args.services, args.latency_ms / 1000.0, args.parallelism
    objects = n * OBJECTS_PER_SERVICE
    rows: list[Row] = []
    figures: dict[str, Any] = {}
    config = workdir / "verifyctl.yaml"
    config.write_text(yaml.safe_dump(config_document(n), sort_keys=False), encoding="utf-8")

    with EmulatorProcess([POPULATED, EMPTY]) as emulator:
        url = emulator.base_url
        log(f"Populating {n} services ({objects} objects) through the API, without latency ...")
        writer = AccountWriter(url, POPULATED)
        created = writer.populate(n)
        writer.close()
        assert created == objects, (created, objects)
        emulator.set_faults(latency_ms=args.latency_ms)

        bound = plan_bound(n, n * len(RATE_LIMITS), latency_s, parallelism)
        log("Warm-up plan (imports, first connections) ...")
        expect(run_verifyctl(["plan", str(config), "--detailed-exitcode"], POPULATED, url), 0, "warm-up plan")
        times = []
        for attempt in range(args.repeat):
            with counting(emulator) as counts:
                run = run_verifyctl(
                    ["plan", str(config), "--detailed-exitcode", "--parallelism", str(parallelism)],
                    POPULATED,
                    url,
                )
            expect(run, 0, "plan")
            times.append(run.seconds)
            log(f"plan #{attempt + 1}: {run.seconds:.2f} s, {counts['requests']} requests")
        plan_s = statistics.median(times)
        plan_requests = counts["requests"]
        ratio = plan_s / bound.seconds
        rows.append(
            Row(
                f"plan, parallelism {parallelism} (median of {args.repeat})",
                f"{plan_s:.2f} s",
                f"bound {bound.seconds:.2f} s; {ratio:.2f}x (target <= {PLAN_BOUND_FACTOR}x)",
                ratio <= PLAN_BOUND_FACTOR,
            )
        )
        rows.append(
            Row(
                "plan requests",
                str(plan_requests),
                f"{bound.requests} needed (1 + 3 x {n} + {n * len(RATE_LIMITS)})",
                plan_requests == bound.requests,
            )
        )

        serial_bound = plan_bound(n, n * len(RATE_LIMITS), latency_s, 1)
        log("plan --parallelism 1 ...")
        serial = expect(
            run_verifyctl(["plan", str(config), "--detailed-exitcode", "--parallelism", "1"], POPULATED, url),
            0,
            "plan --parallelism 1",
        )
        speedup = serial.seconds / plan_s
        rows.append(
            Row(
                "plan, parallelism 1",
                f"{serial.seconds:.2f} s",
                f"bound {serial_bound.seconds:.2f} s; parallel speed-up {speedup:.1f}x"
                f" (target >= {MIN_SPEEDUP:g}x; the bounds allow"
                f" {serial_bound.seconds / bound.seconds:.1f}x)",
                speedup >= MIN_SPEEDUP,
            )
        )

        depths = [n, n * (len(RATE_LIMITS) + len(COUNTRIES) + 1), n * len(RATE_LIMITS) * len(BUCKETS)]
        apply_bound = apply_from_empty_bound(depths, latency_s, parallelism)
        log("apply into the empty account ...")
        with counting(emulator) as apply_counts:
            applied = run_verifyctl(
                ["apply", str(config), "--auto-approve", "--parallelism", str(parallelism)], EMPTY, url
            )
        expect(applied, 0, "apply from empty")
        rows.append(
            Row(
                "apply from empty",
                f"{applied.seconds:.2f} s, {apply_counts['writes']} writes",
                f"{objects} objects; bound {apply_bound.seconds:.2f} s"
                f" ({applied.seconds / apply_bound.seconds:.2f}x)",
                apply_counts["writes"] == objects,
            )
        )

        log("apply again (nothing to do) ...")
        with counting(emulator) as noop_counts:
            again = run_verifyctl(
                ["apply", str(config), "--auto-approve", "--parallelism", str(parallelism)], EMPTY, url
            )
        expect(again, 0, "no-op apply")
        rows.append(
            Row(
                "no-op apply",
                f"{again.seconds:.2f} s, {noop_counts['writes']} writes, {noop_counts['requests']} requests",
                "0 writes",
                noop_counts["writes"] == 0 and "No changes." in again.stdout,
            )
        )

    log(f"diff and render of {CPU_SERVICES} services in memory ...")
    cpu_s, cpu_median_s, changes = cpu_diff_render(CPU_SERVICES, args.cpu_repeat)
    rows.append(
        Row(
            f"diff + render text/json, {CPU_SERVICES} services (CPU, least of {args.cpu_repeat})",
            f"{cpu_s:.3f} s (median {cpu_median_s:.3f} s)",
            f"{CPU_SERVICES * OBJECTS_PER_SERVICE} objects, {changes} changes; target < {CPU_LIMIT_S:g} s",
            cpu_s < CPU_LIMIT_S,
        )
    )
    figures.update(
        plan_seconds=plan_s,
        plan_seconds_runs=times,
        plan_requests=plan_requests,
        plan_bound=asdict(bound),
        plan_serial_seconds=serial.seconds,
        plan_serial_bound=asdict(serial_bound),
        speedup=speedup,
        apply_from_empty_seconds=applied.seconds,
        apply_from_empty_writes=apply_counts["writes"],
        apply_from_empty_bound=asdict(apply_bound),
        noop_apply_seconds=again.seconds,
        noop_apply_writes=noop_counts["writes"],
        cpu_diff_render_seconds=cpu_s,
        cpu_diff_render_median_seconds=cpu_median_s,
        cpu_plan_changes=changes,
    )
    return rows, figures


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def table(rows: list[Row]) -> str:
    header = ("measure", "value", "bound / target", "")
    cells = [header] + [
        (r.measure, r.value, r.reference, "" if r.ok is None else "ok" if r.ok else "MISSED") for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = [
        " | ".join(c[i].ljust(widths[i]) for i in range(3)) + (f" | {c[3]}" if c[3] else "") for c in cells
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths) + "-+---")
    return "\n".join(line.rstrip() for line in lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=200, help="services in the account (default 200)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="emulator latency per request")
    parser.add_argument("--parallelism", type=int, default=10, help="verifyctl --parallelism (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="timed plan runs; the median is reported")
    parser.add_argument("--cpu-repeat", type=int, default=5, help="diff+render runs; the least is reported")
    parser.add_argument("--json-out", default="benchmark-results.json", help="where to write the results")
    args = parser.parse_args(argv)
    if (
        args.services < 1
        or args.latency_ms <= 0
        or args.parallelism < 1
        or min(args.repeat, args.cpu_repeat) < 1
    ):
        parser.error("--services, --parallelism and the repeats must be at least 1, --latency-ms above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="verifyctl-bench-") as directory:
        rows, figures = benchmark(args, Path(directory))
    host = machine()
    print(
        f"verifyctl plan/apply benchmark: {args.services} services ({args.services * OBJECTS_PER_SERVICE}"
        f" objects), emulator latency {args.latency_ms:g} ms, parallelism {args.parallelism}; verifyctl"
        " in-process, emulator in a child process"
    )
    print(f"machine: {host['cpus']} CPUs, {host['cpu_model']}, Python {host['python']}")
    print()
    print(table(rows))
    print()
    print(f"plan bound: {figures['plan_bound']['derivation']}")
    print(f"apply bound: {figures['apply_from_empty_bound']['derivation']}")
    met = all(r.ok is not False for r in rows)
    results = {
        "parameters": {k: v for k, v in vars(args).items() if k != "json_out"},
        "machine": host,
        "rows": [asdict(r) for r in rows],
        "figures": figures,
        "targets_met": met,
    }
    Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {args.json_out}.{'' if met else ' Some targets were MISSED.'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
