"""How long `flexibatch report` takes on a month of a million declarations.

    python benchmarks/report.py --declarations 1000000 --senders 50

The month is written straight into a fresh state through the store's own repositories (the
records `flexibatch run` commits with each submission: the submission, its ErrorID and employer
tallies, the workers' yearly totals), which takes seconds where deciding a million declarations
would take a minute or more; the report reads only those records, so it sees the same month either
way. Then the real CLI makes the report of the month, timed as a user runs it, and this prints the
month's size, the time and the peak RSS of the report, and the pages it wrote.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import subprocess
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from generate import insz, noss, write_refdata
from run import measured

from flexibatch.domain.results import SubmissionOutcome
from flexibatch.store.base import EmployerTally, ErrorTally, SubmissionRecord
from flexibatch.store.sqlite import SqliteStore

JUNE = [date(2026, 6, 1) + timedelta(days=n) for n in range(30)]
#: ErrorIDs a month meets, with their class and how often a declaration carries each.
ERRORS = [
    ("90373-460", "NP", 0.05),
    ("00024-152", "NP", 0.02),
    ("90373-334", "B", 0.03),
    ("00024-004", "B", 0.02),
    ("90256-155", "B", 0.01),
]


def _tallies(
    rng: random.Random, ticket: str, count: int, employers: list[str]
) -> tuple[list[ErrorTally], list[EmployerTally], tuple[int, int, int]]:
    """A submission's declarations spread over its employers, with the ErrorIDs above."""
    errors = [
        ErrorTally(ticket, code, cls, n)
        for code, cls, share in ERRORS
        if (n := int(count * share * rng.uniform(0.5, 1.5)))
    ]
    refused = min(count, sum(e.declarations for e in errors if e.cls == "B"))
    warnings = min(count - refused, sum(e.declarations for e in errors if e.cls == "NP"))
    rows, left = [], [count, warnings, refused]
    for i, employer in enumerate(employers):
        share = [n // (len(employers) - i) for n in left] if i < len(employers) - 1 else left
        accepted = share[0] - share[2]
        rows.append(EmployerTally(ticket, employer, accepted, share[1], share[2]))
        left = [a - b for a, b in zip(left, share, strict=True)]
    return errors, rows, (count - refused, warnings, refused)


def build_month(state: Path, declarations: int, senders: int, employers: int, seed: int = 1) -> int:
    """Record a month of submissions as `run` would have; return how many."""
    rng = random.Random(seed)
    per_file = declarations // (len(JUNE) * senders)
    tickets = 0
    store = SqliteStore(str(state), "write")
    with store.transaction():
        for day in JUNE:
            for s in range(senders):
                tickets += 1
                ticket = f"B{tickets:012d}"
                sender = f"{100000 + s}"
                name = f"FI.DIMN.{sender}.{day:%Y%m%d}.00001.R.1.1.xml"
                received = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=s)
                refused_whole = SubmissionRecord(
                    ticket,
                    sender,
                    name,
                    "DIMN",
                    sender,
                    f"{day:%Y%m%d}",
                    "00001",
                    "R",
                    None,
                    received,
                    SubmissionOutcome.REFUSED,
                    ("ACRF-312",),
                )
                if rng.random() < 0.02:
                    store.submissions.record(refused_whole)
                    continue
                chosen = [noss(e) for e in rng.sample(range(employers), 40)]
                errors, rows, (accepted, warnings, refused) = _tallies(rng, ticket, per_file, chosen)
                store.submissions.record(
                    dataclasses.replace(
                        refused_whole,
                        sha256=f"sha-{ticket}",
                        outcome=SubmissionOutcome.ACCEPTED,
                        error_ids=(),
                        declarations=per_file,
                        accepted=accepted,
                        warnings=warnings,
                        refused=refused,
                    )
                )
                store.tallies.record(errors, rows)
        totals = {(insz(w), 2026): rng.randrange(100_000, 2_000_000) for w in range(declarations // 4)}
        store.situations.save_changes("R", [], totals, datetime(2026, 6, 30))
    store.close()
    return tickets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--senders", type=int, default=50, help="each sends one file a day")
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--work", type=Path, help="a folder of its own (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="flexibatch-report-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FLEXIBATCH_STATE": str(work / "state.db"), "FLEXIBATCH_NOW": "2026-07-01T08:00:00"}
    write_refdata(work / "refdata", args.employers)
    subprocess.run(
        ["flexibatch", "refdata", "load", str(work / "refdata")], env=env, check=True, capture_output=True
    )
    started = time.perf_counter()
    submissions = build_month(work / "state.db", args.declarations, args.senders, args.employers)
    built = time.perf_counter() - started
    out = work / "report"
    seconds, peak, _ = measured(
        ["flexibatch", "report", "--out", str(out), "--since", "2026-06-01", "--until", "2026-06-30"], env
    )
    pages = len(list((out / "submissions").glob("*.html")))
    print(
        f"{'declarations':>12} {'submissions':>11} {'build s':>8} {'report s':>9} {'peak RSS MB':>12} {'pages':>6} {'index KB':>9}"
    )
    print(
        f"{args.declarations:>12} {submissions:>11} {built:>8.1f} {seconds:>9.2f} {peak:>12.0f} {pages:>6} {(out / 'index.html').stat().st_size / 1024:>9.0f}"
    )


if __name__ == "__main__":
    main()
