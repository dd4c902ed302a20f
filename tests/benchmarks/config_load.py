"""Benchmark of loading one big configuration file: `verifyctl validate` time and peak memory per size.

Run from the repository root:  python tests/benchmarks/config_load.py [--services 2000 10000] [--repeat 3]

Each run is a child process (`python -m verifyctl validate FILE`), so its peak RSS is its own; the time
is the child's wall time and CPU time (on a busy machine, CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests.` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.workload import BUCKETS, COUNTRIES, MG, RATE_LIMITS, WEBHOOK, service_name  # noqa: E402


def config_text(services: int) -> str:
    """The benchmark account's YAML, written out directly (yaml.dump takes seconds for 10,000 services).

    The same document as workload.config_document: per service 2 rate limits x 2 buckets, 2 messaging
    configurations and a webhook, 10 objects and about 40 YAML values.
    """
    events = ", ".join(str(event) for event in WEBHOOK["event_types"])
    rate_limits = "".join(
        f"      - unique_name: {name}\n        description: per {name}\n        buckets:\n"
        + "".join(f"          - {{interval: {interval}, max: {most}}}\n" for interval, most in BUCKETS)
        for name in RATE_LIMITS
    )
    countries = "".join(f"      - {{country: {c}, messaging_service_sid: {MG}}}\n" for c in COUNTRIES)
    webhook = (
        f"      - friendly_name: {WEBHOOK['friendly_name']}\n        event_types: [{events}]\n"
        f"        webhook_url: {WEBHOOK['webhook_url']}\n        status: {WEBHOOK['status']}\n"
        f"        version: {WEBHOOK['version']}\n"
    )
    body = (
        "    code_length: 6\n    rate_limits:\n"
        + rate_limits
        + "    messaging_configurations:\n"
        + countries
        + "    webhooks:\n"
        + webhook
    )
    parts = ["version: 1\nservices:\n"]
    parts.extend(f"  - friendly_name: {service_name(i)}\n{body}" for i in range(services))
    return "".join(parts)


@dataclass
class Sample:
    exit_code: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stderr: str


def measure(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Run `python -m verifyctl ARGS` in a child process; its wall time, CPU time and peak RSS.

    The child reports its own figures at exit, so they are that one process's, not the maximum of every
    child this process ever waited for (which RUSAGE_CHILDREN would give). On Linux the peak is VmHWM
    of /proc/self/status: ru_maxrss of a child started with vfork starts at its parent's peak.
    """
    # As the console entry point (verifyctl/cli/entry.py) runs a command: the cycle collector off; but
    # through main(), so that the figures include the interpreter's teardown.
    code = (
        "import gc, resource, sys\n"
        "gc.disable()\n"
        "from verifyctl.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exit_:\n"
        "    status = exit_.code if isinstance(exit_.code, int) else 1\n"
        "else:\n"
        "    status = 0\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "peak = usage.ru_maxrss\n"
        "try:\n"
        "    with open('/proc/self/status') as proc:\n"
        "        peak = next(int(l.split()[1]) for l in proc if l.startswith('VmHWM:'))\n"
        "except (OSError, StopIteration):\n"
        "    pass\n"
        "sys.stderr.write(f'\\n@measure {usage.ru_utime + usage.ru_stime} {peak}\\n')\n"
        "sys.exit(status)\n"
    )
    # The caller's account variables never leak into a measured run; `env` names the ones it needs.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VERIFYCTL_"))}
    child_env.update(env or {})
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=child_env,
        check=False,
    )
    wall = time.perf_counter() - started
    stderr, _, tail = done.stderr.rpartition("\n@measure ")
    cpu, peak = tail.split()
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak_mb = int(peak) / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(done.returncode, wall, float(cpu), peak_mb, stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, nargs="+", default=[2000, 10_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the medians are reported")
    args = parser.parse_args(argv)
    print(f"verifyctl validate of one file, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print("services | file MB | exit | wall s (median) | CPU s (median) | peak RSS MB")
    with tempfile.TemporaryDirectory(prefix="verifyctl-config-bench-") as directory:
        for services in args.services:
            path = Path(directory) / f"services-{services}.yaml"
            path.write_text(config_text(services), encoding="utf-8")
            samples = [measure(["validate", str(path)]) for _ in range(args.repeat)]
            wall = statistics.median(s.wall_s for s in samples)
            cpu = statistics.median(s.cpu_s for s in samples)
            rss = max(s.peak_rss_mb for s in samples)
            size = path.stat().st_size / 1e6
            code = samples[0].exit_code
            print(f"{services:8} | {size:7.1f} | {code:4} | {wall:15.2f} | {cpu:14.2f} | {rss:11.0f}")
            if samples[0].exit_code != 0:
                print(samples[0].stderr[-2000:], file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
