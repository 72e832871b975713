"""Where the time goes: each stage of the pipeline timed on its own over the same generated file.

    python benchmarks/stages.py 100000

Stages: hashing (ACRF-134), reading (hardened parse + per-batch XSD validation + records), deciding
(preload queries, rules, batched writes, in one transaction), writing the NOTI and its CSV twin.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from datetime import datetime
from pathlib import Path

from generate import write_refdata, write_submission

from flexibatch.config import DEFAULT_JOINT_COMMITTEES
from flexibatch.domain.parties import DecisionContext
from flexibatch.formats.answers import NotiWriter
from flexibatch.formats.dimona_xml import dimona_reader, xml_locator
from flexibatch.formats.refdata import read_refdata
from flexibatch.gc_tuning import collect_cycles_less_often
from flexibatch.service.dimona_batch import DimonaBatch
from flexibatch.store.sqlite import SqliteStore

BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=100_000)
    args = parser.parse_args()
    collect_cycles_less_often()  # as the CLI does
    work = Path(tempfile.mkdtemp(prefix="flexibatch-stages-"))
    write_refdata(work / "refdata", 2000)
    data = write_submission(work / "inbox", "DIMN", args.size, 2000)
    timings: dict[str, float] = {}

    started = time.perf_counter()
    hashlib.sha256(data.read_bytes()).hexdigest()
    timings["hash the file"] = time.perf_counter() - started

    started = time.perf_counter()
    reader = dimona_reader(BATCH)
    with data.open("rb") as stream:
        batches = [batch.records for batch in reader.read(stream)]
    timings["read: parse, validate, records"] = time.perf_counter() - started
    assert not reader.diagnostics, reader.diagnostics

    store = SqliteStore(str(work / "state.db"))
    refdata = read_refdata(work / "refdata")
    store.refdata.replace(refdata, "bench", datetime.now())
    ctx = DecisionContext(
        "R", "123456", "DIMN", datetime(2026, 6, 24, 11, 50), refdata, frozenset(DEFAULT_JOINT_COMMITTEES)
    )
    deciding = DimonaBatch(store, ctx, "BENCHMARKTICKT")
    started = time.perf_counter()
    with store.transaction():
        entries = [entry for records in batches for entry in deciding.decide(records)]
    timings["decide: queries, rules, writes, commit"] = time.perf_counter() - started

    started = time.perf_counter()
    with NotiWriter(
        work / "noti.xml",
        work / "noti.csv",
        data.name,
        "BENCHMARKTICKT",
        ctx.reception,
        identification="DIMONA",
        purpose="DIMN",
        locate=xml_locator,
    ) as noti:
        noti.add(entries)
    timings["write the NOTI and its CSV twin"] = time.perf_counter() - started

    total = sum(timings.values())
    print(f"{args.size} declarations, {data.stat().st_size / 1e6:.1f} MB")
    for stage, seconds in timings.items():
        print(
            f"  {stage:40} {seconds:7.2f} s {seconds / total:6.1%} {seconds / args.size * 1e6:7.1f} us/decl"
        )
    print(f"  {'total':40} {total:7.2f} s")


if __name__ == "__main__":
    main()
