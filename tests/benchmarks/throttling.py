"""Benchmark of plan against throttling accounts: a concurrency cap, random 429s, no throttling.

Run from the repository root:  python tests/benchmarks/throttling.py [--repeat 5] [--only random30]
(one scenario:  --only caps --cap 20 --cap-retry-after 1)

The default parts: 200 services with 30% of requests refused at random (Retry-After 0 and 1) and
without throttling, the adaptive limit alternating with --fixed-parallelism; caps of 4, 8 and 20 with
and without Retry-After, alternating with --fixed-parallelism at the cap. `--only unthrottled` (2,000
services) and `--only random` (5% and 30%, the earlier scenarios) run on request.

Each scenario starts its own emulator (in a child process) with `--max-concurrency` and/or
`--throttle-rate`, populates it without latency, then times `plan` (in this process) at the
scenario's latency. The bound is plan_bound at the concurrency the account allows: the cap, or
the ceiling when there is none.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import yaml  # noqa: E402

from tests.benchmarks.bounds import plan_bound  # noqa: E402
from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from tests.benchmarks.plan_apply import POPULATED, counting, log, run_verifyctl  # noqa: E402
from tests.benchmarks.workload import RATE_LIMITS, AccountWriter, config_document  # noqa: E402

CAP_FACTOR = 1.35  # issue 17: within 1.35x of the bound at the cap's concurrency
UNTHROTTLED_FACTOR = 1.10
SMALL_FACTOR = 1.5  # issue 27: a small plan must not spend most of its time in slow start
RANDOM_30_FACTOR = 1.2  # issue 27: random 429s cost the adaptive limit at most this against fixed
ADAPTIVE_COST = 1.05
RANDOM_5_FACTOR = 1.5
FILE_SERVICES = 250


@dataclass
class Outcome:
    seconds: list[float]
    failures: int
    requests: int
    stats: str

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def write_config(services: int, workdir: Path) -> Path:
    config = workdir / f"plan-{services}"
    if not config.exists():
        # Files of FILE_SERVICES services each, as a team might lay out an account this big.
        config.mkdir()
        listed = config_document(services)["services"]
        for start in range(0, len(listed), FILE_SERVICES):
            part = {"version": 1, "services": listed[start : start + FILE_SERVICES]}
            path = config / f"services-{start // FILE_SERVICES:03d}.yaml"
            path.write_text(yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
    return config


@contextmanager
def account(services: int, latency_ms: float, **emulator: Any) -> Iterator[EmulatorProcess]:
    """An emulator in a child process holding `services`, then set to the scenario's faults."""
    throttle = emulator.pop("throttle_rate", None)
    with EmulatorProcess([POPULATED], **emulator) as server:
        # Fewer writers than the smallest cap: populating must not be throttled itself.
        writer = AccountWriter(server.base_url, POPULATED, workers=4 if "max_concurrency" in emulator else 16)
        writer.populate(services)
        writer.close()
        server.set_faults(latency_ms=latency_ms, **({"throttle_rate": throttle} if throttle else {}))
        yield server


def plan_once(server: EmulatorProcess, config: Path, ceiling: int, fixed: bool, outcome: Outcome) -> None:
    args = ["plan", str(config), "--stats", "--detailed-exitcode", "--parallelism", str(ceiling)]
    args += ["--fixed-parallelism"] if fixed else []
    with counting(server) as counts:
        run = run_verifyctl(args, POPULATED, server.base_url)
    if run.exit_code != 0:
        outcome.failures += 1
        log(f"  failed ({run.exit_code}): {run.stderr.strip().splitlines()[-1:]}")
        return
    outcome.seconds.append(run.seconds)
    outcome.requests = counts["requests"]
    outcome.stats = next((line for line in run.stderr.splitlines() if "Requests:" in line), "")


def plan_runs(
    services: int,
    latency_ms: float,
    repeat: int,
    ceiling: int,
    workdir: Path,
    *,
    fixed: bool = False,
    **emulator: Any,
) -> Outcome:
    config = write_config(services, workdir)
    outcome = Outcome([], 0, 0, "")
    with account(services, latency_ms, **emulator) as server:
        for _ in range(repeat):
            plan_once(server, config, ceiling, fixed, outcome)
    return outcome


def side_by_side(
    services: int,
    latency_ms: float,
    repeat: int,
    ceiling: int,
    workdir: Path,
    *,
    fixed_at: int | None = None,
    **emulator: Any,
) -> tuple[Outcome, Outcome]:
    """Adaptive and `--fixed-parallelism` plans of one account, alternating: (adaptive, fixed).

    The fixed plans run at `fixed_at` (a cap the user would have to know), or else at the ceiling.
    """
    config = write_config(services, workdir)
    adaptive, fixed = Outcome([], 0, 0, ""), Outcome([], 0, 0, "")
    with account(services, latency_ms, **emulator) as server:
        for _ in range(repeat):
            plan_once(server, config, ceiling, False, adaptive)
            plan_once(server, config, fixed_at or ceiling, True, fixed)
    return adaptive, fixed


def random_30(args: argparse.Namespace, workdir: Path) -> list[tuple[str, str, bool | None]]:
    """30% of requests refused at random: adaptive against --fixed-parallelism, Retry-After 0 and 1."""
    rows: list[tuple[str, str, bool | None]] = []
    for retry_after in (0, 1):
        log(
            f"--throttle-rate 0.3, Retry-After {retry_after}: {args.small_services} services, alternating ..."
        )
        adaptive, fixed = side_by_side(
            args.small_services,
            args.latency_ms,
            args.repeat,
            args.ceiling,
            workdir,
            throttle_rate=0.3,
            retry_after_seconds=retry_after,
        )
        ratio = adaptive.median / fixed.median
        ok_a, ok_f = args.repeat - adaptive.failures, args.repeat - fixed.failures
        rows.append(
            (
                f"plan, {args.small_services} services, --throttle-rate 0.3, Retry-After {retry_after}",
                f"adaptive median {adaptive.median:.2f} s ({ok_a}/{args.repeat} ok), "
                f"fixed {fixed.median:.2f} s ({ok_f}/{args.repeat} ok): {ratio:.2f}x "
                f"(target <= {RANDOM_30_FACTOR}x); {adaptive.stats}",
                adaptive.failures == 0 and ratio <= RANDOM_30_FACTOR,
            )
        )
    return rows


def small_unthrottled(args: argparse.Namespace, workdir: Path) -> tuple[str, str, bool | None]:
    n = args.small_services
    bound = plan_bound(n, n * len(RATE_LIMITS), args.latency_ms / 1000, args.ceiling).seconds
    log(f"no throttling: {n} services at {args.latency_ms:g} ms, alternating with fixed ...")
    adaptive, fixed = side_by_side(n, args.latency_ms, args.repeat, args.ceiling, workdir)
    ratio = adaptive.median / bound
    return (
        f"plan, {n} services, no throttling",
        f"adaptive median {adaptive.median:.2f} s = {ratio:.2f}x bound {bound:.2f} s (target <= "
        f"{SMALL_FACTOR}x), fixed {fixed.median:.2f} s; {adaptive.stats}",
        adaptive.failures == 0 and ratio <= SMALL_FACTOR,
    )


def unthrottled(args: argparse.Namespace, workdir: Path) -> list[tuple[str, str, bool | None]]:
    """Many services without throttling: adaptive against the bound, and against a fixed limit."""
    big = args.big_services
    bound = plan_bound(big, big * len(RATE_LIMITS), args.big_latency_ms / 1000, args.ceiling).seconds
    log(f"no throttling: {big} services at {args.big_latency_ms:g} ms, adaptive then fixed ...")
    adaptive = plan_runs(big, args.big_latency_ms, 3, args.ceiling, workdir)
    fixed = plan_runs(big, args.big_latency_ms, 3, args.ceiling, workdir, fixed=True)
    ratio = adaptive.median / bound
    cost = adaptive.median / fixed.median
    return [
        (
            f"plan, {big} services, no throttling, adaptive",
            f"median {adaptive.median:.2f} s = {ratio:.2f}x bound {bound:.2f} s "
            f"(target <= {UNTHROTTLED_FACTOR}x); {adaptive.stats}",
            adaptive.failures == 0 and ratio <= UNTHROTTLED_FACTOR,
        ),
        (
            f"adaptive vs fixed at ceiling {args.ceiling}",
            f"{cost:.3f}x (fixed {fixed.median:.2f} s; target <= {ADAPTIVE_COST}x)",
            cost <= ADAPTIVE_COST,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="plans per scenario (default 5)")
    parser.add_argument("--services", type=int, default=100, help="services in the capped scenarios")
    parser.add_argument(
        "--small-services", type=int, default=200, help="services, random 30%% and no throttling"
    )
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--ceiling", type=int, default=64, help="--parallelism given to plan (default 64)")
    parser.add_argument("--big-services", type=int, default=2000, help="services without throttling")
    parser.add_argument("--big-latency-ms", type=float, default=100.0)
    parser.add_argument(
        "--only",
        choices=("caps", "random30", "small", "unthrottled", "random"),
        action="append",
        help="run only these parts (default: caps, random30, small)",
    )
    parser.add_argument(
        "--cap", type=int, action="append", help="the caps to run (default 4, 8 and 20; repeatable)"
    )
    parser.add_argument(
        "--cap-retry-after",
        choices=("none", "1"),
        action="append",
        help="the caps' Retry-After to run (default none and 1; repeatable)",
    )
    args = parser.parse_args(argv)
    parts = set(args.only or ("caps", "random30", "small"))
    rows: list[tuple[str, str, bool | None]] = []
    n, latency_s = args.services, args.latency_ms / 1000
    with tempfile.TemporaryDirectory(prefix="verifyctl-throttle-") as tmp:
        workdir = Path(tmp)
        if "random30" in parts:
            rows.extend(random_30(args, workdir))
        if "small" in parts:
            rows.append(small_unthrottled(args, workdir))
        retry_afters = [None if value == "none" else 1 for value in args.cap_retry_after or ("none", "1")]
        for cap in (args.cap or (4, 8, 20)) if "caps" in parts else ():
            for retry_after in retry_afters:
                name = f"cap {cap}, Retry-After {retry_after if retry_after else 'none'}"
                log(f"{name}: {args.repeat} plans of {n} services at {args.latency_ms:g} ms ...")
                # Alternating with a fixed limit at the cap, which a loaded machine slows alike.
                out, fixed = side_by_side(
                    n,
                    args.latency_ms,
                    args.repeat,
                    args.ceiling,
                    workdir,
                    fixed_at=cap,
                    max_concurrency=cap,
                    concurrency_retry_after=retry_after,
                )
                bound = plan_bound(n, n * len(RATE_LIMITS), latency_s, cap).seconds
                ratio = out.median / bound
                rows.append(
                    (
                        f"plan, {name}",
                        f"{args.repeat - out.failures}/{args.repeat} ok, median {out.median:.2f} s "
                        f"= {ratio:.2f}x bound {bound:.2f} s (target 0 failures, <= {CAP_FACTOR}x); "
                        f"fixed at {cap}: {fixed.median:.2f} s ({out.median / fixed.median:.2f}x); "
                        f"{out.stats}",
                        out.failures == 0 and ratio <= CAP_FACTOR,
                    )
                )
        if "unthrottled" in parts:
            rows.extend(unthrottled(args, workdir))
        for rate in (0.05, 0.3) if "random" in parts else ():
            log(f"--throttle-rate {rate}: {n} services at {args.latency_ms:g} ms ...")
            out = plan_runs(n, args.latency_ms, 3, args.ceiling, workdir, throttle_rate=rate)
            base = plan_runs(n, args.latency_ms, 3, args.ceiling, workdir) if rate == 0.05 else None
            verdict: bool | None = out.failures == 0
            detail = f"{3 - out.failures}/3 exit 0, median {out.median:.2f} s"
            if base is not None:
                detail += f" = {out.median / base.median:.2f}x unthrottled {base.median:.2f} s"
                detail += f" (target <= {RANDOM_5_FACTOR}x)"
                verdict = verdict and out.median / base.median <= RANDOM_5_FACTOR
            rows.append((f"plan, --throttle-rate {rate}", f"{detail}; {out.stats}", verdict))
            if base is not None:
                # As `emulator serve --throttle-rate` sends them: with Retry-After: 1 (no target).
                slow = plan_runs(
                    n, args.latency_ms, 3, args.ceiling, workdir, throttle_rate=rate, retry_after_seconds=1
                )
                ratio = slow.median / base.median
                detail = f"{3 - slow.failures}/3 exit 0, median {slow.median:.2f} s = {ratio:.2f}x"
                rows.append(
                    (f"plan, --throttle-rate {rate} with Retry-After 1", f"{detail}; {slow.stats}", None)
                )
    for measure, value, ok in rows:
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        print(f"{measure}: {value}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
