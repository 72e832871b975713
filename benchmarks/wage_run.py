"""How long one employer's wage run takes on a year-old store: `flexibatch employer ID --from --to`.

    python benchmarks/wage_run.py                      # 2 000 employers, 12 months, ~1 000 000 periods
    python benchmarks/wage_run.py --workers 2000 --months 2    # a quick one

The store is built with the project's own schema and repositories, not by processing twelve
monthly files: deciding a million declarations takes minutes on a shared machine and says nothing
about reading them back. Each month, every worker works `--shifts` one-day shifts (10:00-14:00) for
their employer, written with `Periods.save_changes` (one `periods` row each, as an accepted IN
writes it, every index of the state kept up); 5 % of them are cancelled in a second version (as a
CANCEL writes it). Nine workers in ten get one monthly wage transfer (`Situations.save_changes`,
one situation with one calculation and its validity, and the yearly totals); one transfer in forty
is for a worker who did not work that month. The reference data is loaded with `flexibatch refdata
load` (benchmarks/generate.py's, the same 2 000 employers). Then `ANALYZE` runs, as the store does
when it closes after a run, and the clock starts.

Measured: the wall and CPU time of the real CLI (a new process each time: interpreter start, settings, the
state opened read-only, the view, the output) for one employer's month, as JSON, CSV, text and
`--missing`, and for one worker's year (`worker INSZ --year`); the median and the worst of
`--repeats` runs, each for another employer. `flexibatch --version` is timed too: what a process
costs before it reads anything (on a machine shared by several busy processes, most of it), and
the view with its JSON and CSV in this process: what the command spends past its start.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from generate import company_id, insz, noss, write_refdata

from flexibatch.domain.dimona import Action, Period, PeriodChange, PeriodStatus, Schedule, hour_of
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationChange, SituationStatus
from flexibatch.formats.wage_run_csv import wage_run_csv
from flexibatch.store.sqlite import SqliteStore
from flexibatch.views import employer_run_view

SENDER = "123456"
YEAR = 2026
STAMP = datetime(2026, 6, 24, 11, 50)
TEN, TWO = hour_of("1000"), hour_of("1400")


def month_days(month: int) -> tuple[date, date]:
    first = date(YEAR, month, 1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_changes(month: int, workers: int, employers: int, shifts: int, serial: int) -> list[PeriodChange]:
    first, last = month_days(month)
    span = (last - first).days + 1
    changes = []
    for w in range(workers):
        employer = noss(w % employers)
        worker = insz(w)
        for s in range(shifts):
            serial += 1
            day = first + timedelta(days=(w * 7 + s * (span // shifts)) % span)
            period = Period(
                f"{serial:012d}", "R", employer, employer, None, worker, worker, Schedule(day, TEN, None, TWO)
            )
            changes.append(PeriodChange(period, Action.IN.value, f"D{serial}", "BENCH", SENDER))
            if serial % 20 == 0:
                cancelled = period.changed(status=PeriodStatus.CANCELLED)
                changes.append(PeriodChange(cancelled, Action.CANCEL.value, f"C{serial}", "BENCH", SENDER))
    return changes


def situation_changes(month: int, workers: int, employers: int) -> list[SituationChange]:
    first, last = month_days(month)
    changes = []
    for w in range(workers):
        if (w + month) % 10 == 0:  # one worker in ten not paid yet this month
            continue
        paid = w if (w + month) % 40 != 1 else workers + w  # one in forty: a worker without a Dimona
        calc = CalculationSummary(first, last, "050", 40_000 + w % 50_000, 0, ((first, last),))
        situation = Situation(
            "R", noss(w % employers), insz(paid), f"{month:02d}-{w:08d}", noss(w % employers), company_id(w % employers),
            SituationStatus.ACTIVE, 1, (calc,),
        )  # fmt: skip
        changes.append(SituationChange(situation, "0", f"F{month}-{w}", "BENCH", SENDER))
    return changes


def build(state: Path, workers: int, employers: int, months: int, shifts: int) -> tuple[int, int]:
    store = SqliteStore(str(state), "write")
    serial = 2_000_000_000_00
    totals: dict[tuple[str, int], int] = {}
    for month in range(1, months + 1):
        periods = period_changes(month, workers, employers, shifts, serial)
        serial += workers * shifts
        situations = situation_changes(month, workers, employers)
        for change in situations:
            key = (change.situation.insz, YEAR)
            totals[key] = totals.get(key, 0) + change.situation.calculations[0].wage
        with store.transaction():
            store.periods.save_changes(periods, STAMP)
            store.situations.save_changes("R", situations, {}, STAMP)
        print(
            f"  month {month:2}: {len(periods)} period versions, {len(situations)} wage transfers", flush=True
        )
    with store.transaction():
        store.situations.save_changes("R", [], totals, STAMP)
    held = store.periods.count("R")
    store.close()  # runs PRAGMA optimize, as after every run
    return held, len(totals)


def in_process(state: Path, employers: int, first: date, last: date, repeats: int) -> list[float]:
    """The view and its JSON and CSV in this process, the state opened read-only each time, as the
    command does: what the CLI spends past its own start."""
    times = []
    for e in range(repeats):
        started = time.perf_counter()
        store = SqliteStore(str(state), "read")
        view = employer_run_view(store, noss(e * 37 % employers), "R", first, last)
        json.dumps(dataclasses.asdict(view))
        wage_run_csv(view)
        store.close()
        times.append(time.perf_counter() - started)
    return times


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user and system) of the child: on a machine other processes
    keep busy, the wall time also counts the waits for a core; the CPU time is what the command
    itself needs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=20_000, help="each works for one employer")
    parser.add_argument("--months", type=int, default=12, help="monthly batches of the year 2026")
    parser.add_argument("--shifts", type=int, default=4, help="one-day shifts per worker and month")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--work", type=Path, help="a folder of its own (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="flexibatch-wage-run-"))
    state = work / "state.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEXIBATCH_")}
    env["FLEXIBATCH_STATE"] = str(state)
    if not state.exists():
        write_refdata(work / "refdata", args.employers)
        subprocess.run(
            ["flexibatch", "refdata", "load", str(work / "refdata")], env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        held, totals = build(state, args.workers, args.employers, args.months, args.shifts)
        print(
            f"built {state}: {held} periods, {totals} yearly totals in {time.perf_counter() - started:.1f} s"
        )
        print(f"  ({state.stat().st_size / 1e6:.0f} MB)")
    month = min(args.months, 6)
    first, last = month_days(month)
    commands = {
        "process start (--version)": lambda e: ["flexibatch", "--version"],
        "employer month --json": lambda e: ["flexibatch", "employer", noss(e), "--from", f"{first}", "--to", f"{last}", "--json"],
        "employer month --csv": lambda e: ["flexibatch", "employer", noss(e), "--from", f"{first}", "--to", f"{last}", "--csv"],
        "employer month (text)": lambda e: ["flexibatch", "employer", company_id(e), "--from", f"{first}", "--to", f"{last}"],
        "employer month --missing": lambda e: ["flexibatch", "employer", noss(e), "--from", f"{first}", "--to", f"{last}", "--missing"],
        "worker year": lambda e: ["flexibatch", "worker", insz(e), "--year", str(YEAR)],
    }  # fmt: skip
    print(
        f"{'command':28} {'wall s':>7} {'worst':>6} {'cpu s':>6}   (median of {args.repeats} runs, month {first:%Y-%m})"
    )
    times = in_process(state, args.employers, first, last, args.repeats)
    print(f"{'in process: view+JSON+CSV':28} {statistics.median(times):7.3f} {max(times):6.3f} {'':>6}")
    for name, command in commands.items():
        runs = [timed(command(e * 37 % args.employers), env) for e in range(args.repeats)]
        wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
        print(
            f"{name:28} {statistics.median(wall):7.3f} {max(wall):6.3f} {statistics.median(cpu):6.3f}",
            flush=True,
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
