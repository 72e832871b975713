"""The command line (SPEC 10): parse options, call one service, print a short result.

Exit status: 0 when the run worked, whatever the declarations' fate; 2 for a usage or configuration
error, found before anything moves; 1 for anything else. Errors are one sentence on standard error.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, Final

import structlog

from flexibatch import __version__, logs
from flexibatch.channel.inbox import scan
from flexibatch.channel.watch import watch
from flexibatch.config import Settings, load_settings
from flexibatch.errors import ConfigError, FlexibatchError
from flexibatch.formats.refdata import read_refdata
from flexibatch.gc_tuning import collect_cycles_less_often
from flexibatch.service.run import Outcome, Processor
from flexibatch.store import OpenMode, Store, open_store
from flexibatch.views import employer_view, worker_view

log = structlog.get_logger()

#: The run worked, whatever the declarations' fate: a refusal is an answer, not a failure.
EXIT_OK: Final = 0
#: Anything else: a submission the processor could not finish, a state busy for too long.
EXIT_FAILURE: Final = 1
#: A usage or configuration error (argparse exits with it too): nothing was moved.
EXIT_USAGE: Final = 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state", help="state store: a SQLite file path (env FLEXIBATCH_STATE, default flexibatch.db)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument(
        "--inbox", type=Path, help="where senders drop files (env FLEXIBATCH_INBOX, default inbox_dir/)"
    )
    folders.add_argument(
        "--outbox", type=Path, help="where answers go (env FLEXIBATCH_OUTBOX, default outbox_dir/)"
    )

    parser = argparse.ArgumentParser(
        prog="flexibatch",
        description="Batch file-exchange processor for Belgian flexi-jobs: Dimona declarations and "
        "Flexi at work wage transfers in, receipts (ACRF) and notifications (NOTI) out.",
        epilog="FLEXIBATCH_NOW=2026-06-24T11:50:00 pins the business clock (reception time) for tests and replays.",
    )
    parser.add_argument("--version", action="version", version=f"flexibatch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(sub: Any, name: str, help_text: str, parents: list[argparse.ArgumentParser]) -> Any:
        """A command whose own --help says what it does, as the overview does."""
        return sub.add_parser(
            name, parents=parents, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
        )

    command(commands, "run", "process every ready submission once, then exit", [common, folders])
    command(
        commands,
        "watch",
        "keep processing as files arrive until stopped (SIGTERM finishes the submission in hand)",
        [common, folders],
    )
    refdata = command(commands, "refdata", "reference data (senders, employers, mandates, workers)", [])
    refdata_commands = refdata.add_subparsers(dest="refdata_command", required=True, metavar="ACTION")
    load = command(
        refdata_commands,
        "load",
        "replace the reference data with senders.csv, employers.csv, mandates.csv and workers.csv of DIR",
        [common],
    )
    load.add_argument("directory", type=Path, metavar="DIR")
    status = command(
        commands,
        "status",
        "submissions received, answered, refused, and those waiting for a GO",
        [common, folders],
    )
    status.add_argument(
        "--limit", type=int, default=20, help="how many recent submissions to list (default 20)"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    worker = command(
        commands,
        "worker",
        "a worker's flexi income per employer and in total against the ceiling, and their Dimona periods",
        [common],
    )
    worker.add_argument("insz", metavar="INSZ")
    worker.add_argument("--year", type=int, help="the income year (default: the current year)")
    employer = command(
        commands,
        "employer",
        "the workers an employer declared, with their wage transfers and Dimona periods",
        [common],
    )
    employer.add_argument("employer_id", metavar="ID", help="RSZ number or enterprise number")
    for view in (worker, employer):
        view.add_argument(
            "--env", choices=("R", "T"), default="R", help="production (R, default) or test (T)"
        )
        view.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        state=getattr(args, "state", None),
        inbox=getattr(args, "inbox", None),
        outbox=getattr(args, "outbox", None),
    )


def _summary(outcomes: list[Outcome]) -> str:
    accepted = sum(o.outcome == "ACCEPTED" for o in outcomes)
    declarations = sum(o.declarations for o in outcomes)
    refused_declarations = sum(o.refused for o in outcomes)
    return (
        f"{len(outcomes)} submission(s) answered: {accepted} accepted, {len(outcomes) - accepted} refused; "
        f"{declarations} declaration(s), {refused_declarations} refused"
    )


def _run(settings: Settings) -> int:
    store = _processing_store(settings)
    try:
        processor = Processor(settings, store)
        outcomes = processor.run_once()
    finally:
        store.close()
    print(_summary(outcomes))
    if processor.failures:
        print(
            f"{processor.failures} submission(s) failed for a reason of the processor's own: tried again "
            "later, or given up (see the log and `flexibatch status`)"
        )
        return EXIT_FAILURE
    return EXIT_OK


def _watch(settings: Settings) -> None:
    store = _processing_store(settings)
    stop = threading.Event()
    wake = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping after the submission in hand", signal=signal.Signals(signum).name)
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    processor = Processor(settings, store)
    log.info(
        "watching", inbox=str(settings.inbox), outbox=str(settings.outbox), rescan_s=settings.rescan_seconds
    )
    try:
        watch(settings.inbox, settings.rescan_seconds, processor.run_once, stop, wake)
    finally:
        store.close()


def _open(settings: Settings, mode: OpenMode) -> Store:
    return open_store(settings.state, mode, settings.busy_timeout_seconds)


def _processing_store(settings: Settings) -> Store:
    """What `run` and `watch` check before anything moves (SPEC 10), then the store they write to:
    folders that can serve and lie apart, a state of this release that holds reference data."""
    if not settings.inbox.is_dir():
        raise ConfigError(f"the inbox {settings.inbox} is not a folder")
    if settings.outbox.exists() and not settings.outbox.is_dir():
        raise ConfigError(f"the outbox {settings.outbox} is not a folder")
    settings.check_apart()
    store = _open(settings, "write")
    try:
        if store.refdata_version() == 0:
            raise ConfigError(
                f"the state {settings.state} holds no reference data: load it with "
                "`flexibatch refdata load DIR` first, or every sender would be refused (ACRF-190)"
            )
        try:
            settings.outbox.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"the outbox {settings.outbox} cannot be created: {exc.strerror}") from None
    except BaseException:
        store.close()
        raise
    return store


def _load_refdata(settings: Settings, directory: Path) -> None:
    refdata = read_refdata(directory)
    store = _open(settings, "create")
    try:
        store.replace_refdata(refdata, str(directory), datetime.now())
    finally:
        store.close()
    print(
        f"reference data loaded from {directory}: {len(refdata.senders)} senders, {len(refdata.employers)} employers, "
        f"{len(refdata.mandates)} mandates, {len(refdata.workers)} worker statuses"
    )


def _status(settings: Settings, limit: int, as_json: bool) -> None:
    store = _open(settings, "read")
    try:
        records = store.submissions(limit)
        failures = store.failures()
    finally:
        store.close()
    waiting = []
    if settings.inbox.is_dir():
        view = scan(settings.inbox, settings.settle_seconds, settings.go_timeout_seconds)
        waiting = [
            {"folder": p.folder, "key": p.key.stem, "has_go": p.trigger is not None, "parts": len(p.data)}
            for p in view.waiting
        ]
    rows = [
        {
            "ticket": r.ticket,
            "received": r.reception_time.isoformat(timespec="seconds"),
            "file": r.file_name,
            "outcome": r.outcome,
            "error_ids": r.error_ids,
            "declarations": r.declarations,
            "accepted": r.accepted,
            "warnings": r.warnings,
            "refused": r.refused,
        }
        for r in records
    ]
    failed = [
        {
            "stage": f.stage,
            "folder": f.folder,
            "file": f.file_name,
            "ticket": f.subject if f.stage == "FINISH" else None,
            "attempts": f.attempts,
            "reason": f.reason,
            "failed_at": f.failed_at.isoformat(),
            "retry_at": None if f.quarantined else f.next_attempt.isoformat(),
            "quarantined": f.quarantined,
        }
        for f in failures
    ]
    if as_json:
        print(json.dumps({"submissions": rows, "waiting": waiting, "failed": failed}, indent=2))
        return
    print(f"{'received':19}  {'outcome':8}  {'decl':>6}  {'acc':>6}  {'warn':>6}  {'ref':>6}  file / errors")
    for row in rows:
        print(
            f"{row['received']:19}  {row['outcome']:8}  {row['declarations']:>6}  {row['accepted']:>6}  "
            f"{row['warnings']:>6}  {row['refused']:>6}  {row['file']} {row['error_ids']}".rstrip()
        )
    if not rows:
        print("(no submission yet)")
    for item in waiting:
        missing = "parts" if item["has_go"] else "GO file"
        print(
            f"waiting for its {missing}: {item['folder'] or '.'}/{item['key']} ({item['parts']} part(s) present)"
        )
    for f in failures:
        if f.quarantined is None:
            then = f"next try {f.next_attempt.astimezone():%H:%M:%S}"
        elif f.quarantined == "inbox":
            then = "given up, left in the inbox"
        else:
            then = f"given up, in {f.quarantined}"
        print(f"failed {f.attempts} time(s), {then}: {f.folder or '.'}/{f.file_name}: {f.reason}")


def _print_periods(periods: list[dict[str, Any]], indent: str = "") -> None:
    if not periods:
        print(f"{indent}(no Dimona period)")
    for p in periods:
        end = p["end"] or "open"
        print(f"{indent}{p['period_id']}  {p['start']} -> {end}  {p['status']:9}  {p['employer']}")


def _worker(settings: Settings, insz: str, year: int | None, env: str, as_json: bool) -> None:
    store = _open(settings, "read")
    try:
        view = worker_view(store, insz, year or settings.business_now().year, env, settings.ceilings)
    finally:
        store.close()
    if as_json:
        print(json.dumps(view, indent=2))
        return
    print(f"Worker {view['insz']} - flexi income {view['year']} ({'production' if env == 'R' else 'test'})")
    for name, amount in view["income_per_employer"].items():
        print(f"  {amount:>12} EUR  {name}")
    print(f"  {view['total']:>12} EUR  total")
    if view["ceiling"] is None:
        print("  no ceiling: pensioner" if view["pensioner"] else "  no ceiling configured for this year")
    else:
        print(f"  {view['ceiling']:>12} EUR  tax-free ceiling")
        print(f"  {view['margin']:>12} EUR  remaining margin")
    print("Dimona periods:")
    _print_periods(view["dimona_periods"], "  ")


def _employer(settings: Settings, number: str, env: str, as_json: bool) -> None:
    store = _open(settings, "read")
    try:
        view = employer_view(store, number, env)
    finally:
        store.close()
    if as_json:
        print(json.dumps(view, indent=2))
        return
    who = view["employer"]
    print(f"{who['name']} - RSZ {who['noss'] or '-'}, enterprise {who['company_id'] or '-'} ({env})")
    if not view["workers"]:
        print("  (no worker declared)")
    for worker in view["workers"]:
        print(f"  worker {worker['insz']}")
        for situation in worker["situations"]:
            print(f"    relation {situation['relation_id']}  v{situation['version']}  {situation['status']}")
            for c in situation["calculations"]:
                print(
                    f"      {c['start']} -> {c['end']}  code {c['worker_code']}  "
                    f"wage {c['wage']:>10}  premium {c['premium']:>10}"
                )
        _print_periods(worker["dimona_periods"], "    ")


def main(argv: Sequence[str] | None = None) -> int:
    collect_cycles_less_often()
    parser = _parser()
    args = parser.parse_args(argv)
    logs.configure(verbose=getattr(args, "verbose", False))
    try:
        settings = _settings(args)
        if args.command == "run":
            return _run(settings)
        if args.command == "watch":
            _watch(settings)
        elif args.command == "refdata":
            _load_refdata(settings, args.directory)
        elif args.command == "worker":
            _worker(settings, args.insz, args.year, args.env, args.json)
        elif args.command == "employer":
            _employer(settings, args.employer_id, args.env, args.json)
        else:
            _status(settings, args.limit, args.json)
    except ConfigError as exc:
        print(f"flexibatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FlexibatchError as exc:
        print(f"flexibatch: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
