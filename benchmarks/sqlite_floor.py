"""The floor of keeping a declaration's state: SQLite alone writing what one accepted IN writes.

    python benchmarks/sqlite_floor.py 100000

A fresh store with the project's own schema (the migrations), and rows built before the clock starts,
as flexibatch's Dimona decider writes an accepted IN: one `periods` row (primary key and the (env,
employer, worker, last day) and INSZ indexes) with who declared it, in batches of 5 000, with the
store's own statement and `executemany`, in one transaction. No rule, no XML, no
NOTI: what is left is SQLite's B-trees, which no Python change makes cheaper, next to the 4 x
xmllint budget per declaration.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flexibatch.store.sqlite import SqliteStore
from flexibatch.store.sqlite.periods import PERIODS
from flexibatch.store.sqlite.rows import EMPTY

BATCH = 5000


def rows(count: int) -> list[tuple[object, ...]]:
    periods = []
    for i in range(count):
        worker = (i * 7919) % max(count // 4, 1)  # the benchmark's N/4 workers, in a scattered order
        employer = str(175110801 + 97 * (worker % 2000))
        base = 2_000_000_000 + i
        insz = f"{60_000_000_000 + worker:011d}"
        periods.append(
            (
                *(f"{base:010d}{base % 97:02d}", "R", employer, employer, EMPTY, insz, insz),
                *("2026-07-01", "1000", EMPTY, "1400", "ACTIVE", 1, "2026-07-01", "123456", "IN"),
                *(f"{7_000_000_000 + i:012d}", "TICKET", "2026-06-24T11:50:00.000"),
            )
        )
    return periods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=100_000)
    args = parser.parse_args()
    periods = rows(args.size)
    store = SqliteStore(str(Path(tempfile.mkdtemp(prefix="flexibatch-floor-")) / "state.db"))
    db = store._db
    started = time.perf_counter()
    with store.transaction():
        for start in range(0, args.size, BATCH):
            db.executemany(PERIODS.insert, periods[start : start + BATCH])
    seconds = time.perf_counter() - started
    print(f"{args.size} declarations: {seconds:.2f} s, {seconds / args.size * 1e6:.1f} us per declaration")


if __name__ == "__main__":
    main()
