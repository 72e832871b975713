"""PostgreSQL against SQLite, and several workers on one PostgreSQL state.

1. One Dimona submission of N declarations (benchmarks/generate.py) through `flexibatch run`, on a
   fresh SQLite file and on a fresh PostgreSQL database, in one run: wall seconds, the processor's
   CPU seconds and the server's (every process of the `postgres` user, read from /proc), so the
   time a declaration costs splits into Python, the server, and waiting between the two.
2. W = 1, 2, 4 `flexibatch run` workers started together on one PostgreSQL state and one inbox
   holding F files of distinct senders (M declarations each): wall seconds until all are done.

    python benchmarks/postgresql.py --dimona 100000 --files 4 --per-file 25000
    python benchmarks/postgresql.py --dimona 1000000 --files 4 --per-file 50000   # the big one

The server is the one `--url` names (a role that may create databases), else a throwaway one
started from the installed binaries as the tests do (tests/support/postgres.py), but durable as
SQLite is here (fsync and synchronous commits on, its defaults otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from generate import SENDER, write_refdata, write_submission

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.postgres import Server, session_server  # noqa: E402 - the tests' server helper

NOW = "2026-06-24T11:50:00"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server: Server) -> float:
    """CPU seconds the server used so far: its postmaster, every live backend of it, and the
    backends that ended (the postmaster's reaped children). A server of another session on this
    machine is not counted; with `--url` (no postmaster known), every process of the `postgres`
    user is."""
    postmaster = None
    if server.folder is not None:
        postmaster = int((server.folder / "data" / "postmaster.pid").read_text().split()[0])
    uid = pwd.getpwnam("postgres").pw_uid
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ours = pid == postmaster or int(fields[1]) == postmaster  # fields[1]: the parent's pid
            if ours if postmaster is not None else stat.parent.stat().st_uid == uid:
                total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / CLOCK_TICKS


def _env(run: Path, state: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLEXIBATCH_STATE": state,
        "FLEXIBATCH_INBOX": str(run / "inbox"),
        "FLEXIBATCH_OUTBOX": str(run / "outbox"),
        "FLEXIBATCH_WORK": str(run / "work"),
        "FLEXIBATCH_NOW": NOW,
    }


def _load(run: Path, refdata: Path, state: str) -> dict[str, str]:
    (run / "outbox").mkdir(parents=True, exist_ok=True)
    env = _env(run, state)
    subprocess.run(["flexibatch", "refdata", "load", str(refdata)], env=env, check=True, capture_output=True)
    return env


def _workers(server: Server, count: int, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, the workers' CPU seconds and the server's, of `count` runs started together."""
    before_cpu, before_server = os.times(), server_cpu_seconds(server)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(["flexibatch", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    codes = [process.wait() for process in processes]
    wall = time.perf_counter() - started
    after = os.times()
    if any(codes):
        raise SystemExit(f"a worker failed: {codes}")
    client = (after.children_user - before_cpu.children_user) + (
        after.children_system - before_cpu.children_system
    )
    return wall, client, server_cpu_seconds(server) - before_server


def one_file(server: Server, work: Path, size: int) -> None:
    source = work / f"dimona-{size}"
    if not source.exists():
        write_refdata(source / "refdata", 2000)
        write_submission(source / "inbox", "DIMN", size, 2000)
    print(f"1. one Dimona file of {size} declarations, `flexibatch run`")
    print(f"{'state':>11} {'wall s':>8} {'µs/decl':>8} {'python s':>9} {'server s':>9} {'waiting s':>10}")
    for name in ("sqlite", "postgresql"):
        run = work / f"run-{name}"
        shutil.rmtree(run, ignore_errors=True)
        shutil.copytree(source / "inbox", run / "inbox")
        url = server.fresh_database(migrated=False) if name == "postgresql" else str(run / "state.db")
        env = _load(run, source / "refdata", url)
        wall, client, server_s = _workers(server, 1, env)
        waiting = max(0.0, wall - client - server_s)
        print(
            f"{name:>11} {wall:>8.1f} {wall / size * 1e6:>8.1f} {client:>9.1f} {server_s:>9.1f} {waiting:>10.1f}",
            flush=True,
        )
        if name == "postgresql":
            server.drop_database(url)


def _distinct_senders(source: Path, files: int, per_file: int) -> None:
    """`files` submissions, each of its own sender (mandated for every employer) in its folder."""
    write_refdata(source / "refdata", 2000)
    senders = [f"{int(SENDER) + n:06d}" for n in range(files)]
    mandates = (source / "refdata" / "mandates.csv").read_text().splitlines()
    lines = [mandates[0]] + [line.replace(SENDER, s, 1) for s in senders for line in mandates[1:]]
    (source / "refdata" / "mandates.csv").write_text("\n".join(lines) + "\n")
    (source / "refdata" / "senders.csv").write_text(
        "sender,name\n" + "".join(f"{s},Payroll {s}\n" for s in senders)
    )
    for n, sender in enumerate(senders):
        folder = source / "inbox" / sender
        fi = write_submission(folder, "DIMN", per_file, 2000, month=n)
        for path in (fi, *folder.glob("GO.*")):
            path.rename(path.with_name(path.name.replace(f".{SENDER}.", f".{sender}.")))


def workers(server: Server, work: Path, files: int, per_file: int) -> None:
    source = work / f"senders-{files}x{per_file}"
    if not source.exists():
        _distinct_senders(source, files, per_file)
    print(f"2. {files} Dimona files of distinct senders, {per_file} declarations each, on PostgreSQL")
    print(f"{'workers':>8} {'wall s':>8} {'decl/s':>9} {'python s':>9} {'server s':>9}")
    for count in (1, 2, 4):
        run = work / f"workers-{count}"
        shutil.rmtree(run, ignore_errors=True)
        shutil.copytree(source / "inbox", run / "inbox")
        url = server.fresh_database(migrated=False)
        env = _load(run, source / "refdata", url)
        wall, client, server_s = _workers(server, count, env)
        print(
            f"{count:>8} {wall:>8.1f} {files * per_file / wall:>9.0f} {client:>9.1f} {server_s:>9.1f}",
            flush=True,
        )
        server.drop_database(url)


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[Server]:
    if url:
        os.environ["FLEXIBATCH_TEST_POSTGRESQL"] = url
    with session_server(durable=True) as server:
        yield server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dimona", type=int, default=100_000, help="declarations of part 1")
    parser.add_argument("--files", type=int, default=4, help="files of distinct senders in part 2")
    parser.add_argument("--per-file", type=int, default=25_000, help="declarations per file in part 2")
    parser.add_argument("--url", help="a PostgreSQL server to use (default: a throwaway one)")
    parser.add_argument("--work", type=Path, help="where generated files are kept (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="flexibatch-pg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with _server(args.url) as server:
        one_file(server, work, args.dimona)
        workers(server, work, args.files, args.per_file)


if __name__ == "__main__":
    main()
