"""How the cost of a monthly Dimona file grows with the months the store already holds.

    python benchmarks/months.py --size 100000 --months 6

One store, one `flexibatch run` per month: month n is a file of `--size` declarations for the same
employers and workers, with its shifts in the n-th month after July 2026 (benchmarks/generate.py).
Prints each month's time, rate and the periods the store held before it. A month should cost what
the first one did, however long the history behind it.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

from generate import first_day, write_refdata, write_submission
from run import measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="declarations per monthly file")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--work", type=Path, help="a folder of its own (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="flexibatch-months-"))
    env = {
        **os.environ,
        "FLEXIBATCH_STATE": str(work / "state.db"),
        "FLEXIBATCH_INBOX": str(work / "inbox"),
        "FLEXIBATCH_OUTBOX": str(work / "outbox"),
        "FLEXIBATCH_NOW": "2026-06-24T11:50:00",
    }
    write_refdata(work / "refdata", args.employers)
    subprocess.run(
        ["flexibatch", "refdata", "load", str(work / "refdata")], env=env, check=True, capture_output=True
    )
    print(f"{'month':>8} {'periods before':>15} {'seconds':>8} {'decl/s':>8}")
    held = 0
    for month in range(args.months):
        data = write_submission(work / "inbox", "DIMN", args.size, args.employers, month)
        seconds, _, _ = measured(["flexibatch", "run"], env)
        print(f"{first_day(month):%Y-%m} {held:>15} {seconds:>8.2f} {args.size / seconds:>8.0f}", flush=True)
        with closing(sqlite3.connect(work / "state.db")) as db:
            held = db.execute("SELECT count(*) FROM periods").fetchone()[0]
            accepted = db.execute("SELECT accepted FROM submissions WHERE file_name = ?", (data.name,))
            assert accepted.fetchone() == (args.size,), "every declaration of the month was accepted"


if __name__ == "__main__":
    main()
