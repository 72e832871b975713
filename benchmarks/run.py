"""End-to-end throughput and memory of `flexibatch run`, against `xmllint --stream` on the same file.

For each size N: generate a submission (benchmarks/generate.py), validate it with libxml2's streaming
validator (the floor), then process it with `flexibatch run` on a fresh SQLite store; repeat and
report medians. Peak RSS is the processor's own (the child process's maximum resident set).

    python benchmarks/run.py --kind dimona --sizes 10000 100000 --repeats 3
    python benchmarks/run.py --kind flex --sizes 200000 --repeats 1

Needs `xmllint` (Debian: libxml2-utils).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import write_refdata, write_submission

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = {"dimona": ROOT / "schemas" / "Dimona.xsd", "flex": ROOT / "schemas" / "FLXWAGE.xsd"}
_MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
    "elapsed = time.perf_counter() - t; usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(elapsed, usage.ru_maxrss, code, usage.ru_utime + usage.ru_stime)"
)


def measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user and system, its children's included) of
    one command, measured by a small parent of its own. On a busy machine the CPU seconds vary less
    than the wall."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    elapsed, rss_kb, code, cpu = float(out[0]), int(out[1]), int(out[2]), float(out[3])
    if code != 0:
        raise SystemExit(f"{command[0]} failed with exit status {code}")
    return elapsed, rss_kb / 1024, cpu


def one_size(kind: str, size: int, repeats: int, work: Path) -> dict[str, float]:
    source = work / f"{kind}-{size}"
    if not source.exists():
        write_refdata(source / "refdata", 2000)
        write_submission(source / "inbox", "DIMN" if kind == "dimona" else "FLEX", size, 2000)
    data = next((source / "inbox").glob("FI.*"))
    xmllint, ours, rss, cpu = [], [], [], []
    for _ in range(repeats):
        seconds, _, _ = measured(
            ["xmllint", "--noout", "--stream", "--schema", str(SCHEMAS[kind]), str(data)]
        )
        xmllint.append(seconds)
        run = work / "run"
        shutil.rmtree(run, ignore_errors=True)
        shutil.copytree(source / "inbox", run / "inbox")
        (run / "outbox").mkdir()
        env = {
            **os.environ,
            "FLEXIBATCH_STATE": str(run / "state.db"),
            "FLEXIBATCH_INBOX": str(run / "inbox"),
            "FLEXIBATCH_OUTBOX": str(run / "outbox"),
            "FLEXIBATCH_NOW": "2026-06-24T11:50:00",
        }
        subprocess.run(
            ["flexibatch", "refdata", "load", str(source / "refdata")],
            env=env,
            check=True,
            capture_output=True,
        )
        seconds, peak, used = measured(["flexibatch", "run"], env)
        ours.append(seconds)
        rss.append(peak)
        cpu.append(used)
        answered = json.loads(
            subprocess.run(
                ["flexibatch", "status", "--json"], env=env, check=True, capture_output=True
            ).stdout
        )
        assert answered["submissions"][0]["declarations"] == size, "every declaration was decided"
    return {
        "size": size,
        "mb": data.stat().st_size / 1e6,
        "xmllint_s": statistics.median(xmllint),
        "flexibatch_s": statistics.median(ours),
        "per_second": size / statistics.median(ours),
        "ratio": statistics.median(ours) / statistics.median(xmllint),
        "peak_rss_mb": max(rss),
        "cpu_s": statistics.median(cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("dimona", "flex"), default="dimona")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, help="where generated files are kept between runs (default: a temp folder)"
    )
    args = parser.parse_args()
    if shutil.which("xmllint") is None:
        raise SystemExit("xmllint not found: apt-get install libxml2-utils")
    work = args.work or Path(tempfile.mkdtemp(prefix="flexibatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"{'N':>9} {'MB':>8} {'xmllint s':>10} {'flexibatch s':>13} {'decl/s':>9} {'ratio':>7} "
        f"{'peak RSS MB':>12} {'CPU s':>7}"
    )
    for size in args.sizes:
        started = time.perf_counter()
        row = one_size(args.kind, size, args.repeats, work)
        print(
            f"{row['size']:>9} {row['mb']:>8.1f} {row['xmllint_s']:>10.2f} {row['flexibatch_s']:>13.2f} "
            f"{row['per_second']:>9.0f} {row['ratio']:>7.1f} {row['peak_rss_mb']:>12.0f} {row['cpu_s']:>7.2f}",
            flush=True,
        )
        print(f"          ({time.perf_counter() - started:.0f} s for this size)", file=sys.stderr)


if __name__ == "__main__":
    main()
