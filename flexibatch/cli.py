"""The command line (SPEC 10): parse options, call one service, print a short result.

Exit status: 0 when the run worked, whatever the declarations' fate; 2 for a usage or configuration
error, found before anything moves; 1 for anything else. Errors are one sentence on standard error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, Final

import structlog

from flexibatch import __version__, logs
from flexibatch.channel.watch import watch
from flexibatch.config import Settings, load_settings
from flexibatch.domain.results import SubmissionOutcome
from flexibatch.errors import ChannelError, ConfigError, FlexibatchError, NotFound, StoreError
from flexibatch.formats.refdata import read_refdata
from flexibatch.gc_tuning import collect_cycles_less_often
from flexibatch.service.run import Outcome, Processor
from flexibatch.store import OpenMode, Store, opened
from flexibatch.views import PeriodView, employer_view, status_view, worker_view

log = structlog.get_logger()

#: The run worked, whatever the declarations' fate: a refusal is an answer, not a failure.
EXIT_OK: Final = 0
#: Anything else: a submission the processor could not finish, a state busy for too long.
EXIT_FAILURE: Final = 1
#: A usage or configuration error (argparse exits with it too): nothing was moved.
EXIT_USAGE: Final = 2
#: What a view was asked about is not there (no such employer): the operator's mistake, as a usage error.
EXIT_NOT_FOUND: Final = EXIT_USAGE


def _common_options() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The options every command takes, and the folders `run`, `watch` and `status` take."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state",
        help="state store: a SQLite file path, or a postgresql:// URL that several workers share "
        "(env FLEXIBATCH_STATE, default flexibatch.db)",
    )
    common.add_argument(
        "--config",
        type=Path,
        help="a TOML file of settings, keys the settings' names, relative paths from its folder "
        "(env FLEXIBATCH_CONFIG); the environment and the command line override it",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument(
        "--inbox", type=Path, help="where senders drop files (env FLEXIBATCH_INBOX, default inbox_dir/)"
    )
    folders.add_argument(
        "--outbox", type=Path, help="where answers go (env FLEXIBATCH_OUTBOX, default outbox_dir/)"
    )
    return common, folders


def _parser() -> argparse.ArgumentParser:
    common, folders = _common_options()
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
        config=getattr(args, "config", None),
        state=getattr(args, "state", None),
        inbox=getattr(args, "inbox", None),
        outbox=getattr(args, "outbox", None),
    )


def _opened(settings: Settings, mode: OpenMode) -> AbstractContextManager[Store]:
    """The state for one command, closed when it ends (see `store.opened`)."""
    return opened(settings.state, mode, settings.busy_timeout_seconds)


def _summary(outcomes: list[Outcome]) -> str:
    accepted = sum(o.outcome is SubmissionOutcome.ACCEPTED for o in outcomes)
    declarations = sum(o.declarations for o in outcomes)
    refused_declarations = sum(o.refused for o in outcomes)
    return (
        f"{len(outcomes)} submission(s) answered: {accepted} accepted, {len(outcomes) - accepted} refused; "
        f"{declarations} declaration(s), {refused_declarations} refused"
    )


def _check_processing(settings: Settings, store: Store) -> None:
    """What `run` and `watch` check before anything moves (SPEC 10): folders that can serve and
    lie apart, a state of this release that holds reference data."""
    if store.refdata.version() == 0:
        raise ConfigError(
            f"the state {settings.state} holds no reference data: load it with "
            "`flexibatch refdata load DIR` first, or every sender would be refused (ACRF-190)"
        )
    for name, folder in (("outbox", settings.outbox), ("work folder", settings.work_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"the {name} {folder} cannot be created: {exc.strerror}") from None


def _check_folders(settings: Settings) -> None:
    if not settings.inbox.is_dir():
        raise ConfigError(f"the inbox {settings.inbox} is not a folder")
    if settings.outbox.exists() and not settings.outbox.is_dir():
        raise ConfigError(f"the outbox {settings.outbox} is not a folder")
    settings.check_apart()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    _check_folders(settings)
    with _opened(settings, "write") as store:
        _check_processing(settings, store)
        processor = Processor(settings, store)
        outcomes = processor.run_once()
    print(_summary(outcomes))
    if processor.failures:
        print(
            f"{processor.failures} submission(s) failed for a reason of the processor's own: tried again "
            "later, or given up (see the log and `flexibatch status`)"
        )
        return EXIT_FAILURE
    return EXIT_OK


def _watch(args: argparse.Namespace, settings: Settings) -> int:
    _check_folders(settings)
    with _opened(settings, "write") as store:
        _check_processing(settings, store)
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
            "watching",
            inbox=str(settings.inbox),
            outbox=str(settings.outbox),
            rescan_s=settings.rescan_seconds,
        )
        watch(settings.inbox, settings.rescan_seconds, processor.run_once, stop, wake)
    return EXIT_OK


def _load_refdata(args: argparse.Namespace, settings: Settings) -> int:
    directory: Path = args.directory
    refdata = read_refdata(directory)
    with _opened(settings, "create") as store:
        store.refdata.replace(refdata, str(directory), datetime.now())
    print(
        f"reference data loaded from {directory}: {len(refdata.senders)} senders, {len(refdata.employers)} employers, "
        f"{len(refdata.mandates)} mandates, {len(refdata.workers)} worker statuses"
    )
    return EXIT_OK


def _print_json(record: Any) -> None:
    print(json.dumps(dataclasses.asdict(record), indent=2))


def _status(args: argparse.Namespace, settings: Settings) -> int:
    with _opened(settings, "read") as store:
        view = status_view(
            store, settings.inbox, args.limit, settings.settle_seconds, settings.go_timeout_seconds
        )
    if args.json:
        _print_json(view)
        return EXIT_OK
    print(f"{'received':19}  {'outcome':8}  {'decl':>6}  {'acc':>6}  {'warn':>6}  {'ref':>6}  file / errors")
    for row in view.submissions:
        print(
            f"{row.received:19}  {row.outcome:8}  {row.declarations:>6}  {row.accepted:>6}  "
            f"{row.warnings:>6}  {row.refused:>6}  {row.file} {','.join(row.error_ids)}".rstrip()
        )
    if not view.submissions:
        print("(no submission yet)")
    for item in view.waiting:
        missing = "parts" if item.has_go else "GO file"
        print(f"waiting for its {missing}: {item.folder or '.'}/{item.key} ({item.parts} part(s) present)")
    for f in view.failed:
        if f.retry_at is not None:
            then = f"next try {datetime.fromisoformat(f.retry_at).astimezone():%H:%M:%S}"
        elif f.quarantined == "inbox":
            then = "given up, left in the inbox"
        else:
            then = f"given up, in {f.quarantined}"
        print(f"failed {f.attempts} time(s), {then}: {f.folder or '.'}/{f.file}: {f.reason}")
    return EXIT_OK


def _print_periods(periods: list[PeriodView], indent: str = "") -> None:
    if not periods:
        print(f"{indent}(no Dimona period)")
    for p in periods:
        print(f"{indent}{p.period_id}  {p.start} -> {p.end or 'open'}  {p.status:9}  {p.employer}")


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    year: int = args.year or settings.business_now().year
    with _opened(settings, "read") as store:
        view = worker_view(store, args.insz, year, args.env, settings.ceilings)
    if args.json:
        _print_json(view)
        return EXIT_OK
    print(f"Worker {view.insz} - flexi income {view.year} ({'production' if view.env == 'R' else 'test'})")
    for name, amount in view.income_per_employer.items():
        print(f"  {amount:>12} EUR  {name}")
    print(f"  {view.total:>12} EUR  total")
    if view.ceiling is None:
        print("  no ceiling: pensioner" if view.pensioner else "  no ceiling configured for this year")
    else:
        print(f"  {view.ceiling:>12} EUR  tax-free ceiling")
        print(f"  {view.margin:>12} EUR  remaining margin")
    print("Dimona periods:")
    _print_periods(view.dimona_periods, "  ")
    return EXIT_OK


def _employer(args: argparse.Namespace, settings: Settings) -> int:
    with _opened(settings, "read") as store:
        view = employer_view(store, args.employer_id, args.env)
    if args.json:
        _print_json(view)
        return EXIT_OK
    who = view.employer
    print(f"{who.name} - RSZ {who.noss or '-'}, enterprise {who.company_id or '-'} ({view.env})")
    if not view.workers:
        print("  (no worker declared)")
    for worker in view.workers:
        print(f"  worker {worker.insz}")
        for situation in worker.situations:
            print(f"    relation {situation.relation_id}  v{situation.version}  {situation.status}")
            for c in situation.calculations:
                print(
                    f"      {c.start} -> {c.end}  code {c.worker_code}  "
                    f"wage {c.wage:>10}  premium {c.premium:>10}"
                )
        _print_periods(worker.dimona_periods, "    ")
    return EXIT_OK


Handler = Callable[[argparse.Namespace, Settings], int]

#: One handler per command (and per `refdata` action): nothing falls through to another.
HANDLERS: Final[dict[str, Handler]] = {
    "run": _run,
    "watch": _watch,
    "refdata load": _load_refdata,
    "status": _status,
    "worker": _worker,
    "employer": _employer,
}

#: The exit status of each error family the adapters raise (errors.py); the root's is the default.
EXIT_STATUS: Final[dict[type[FlexibatchError], int]] = {
    ConfigError: EXIT_USAGE,
    NotFound: EXIT_NOT_FOUND,
    StoreError: EXIT_FAILURE,
    ChannelError: EXIT_FAILURE,
}


def _exit_status(error: FlexibatchError) -> int:
    return next((code for family, code in EXIT_STATUS.items() if isinstance(error, family)), EXIT_FAILURE)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    collect_cycles_less_often()
    parser = _parser()
    args = parser.parse_args(argv)
    logs.configure(verbose=getattr(args, "verbose", False))
    command = " ".join(filter(None, (args.command, getattr(args, "refdata_command", None))))
    try:
        return HANDLERS[command](args, _settings(args))
    except FlexibatchError as exc:
        print(f"flexibatch: {_one_line(str(exc))}", file=sys.stderr)
        return _exit_status(exc)
    except Exception as exc:  # a fault of our own: one sentence here, its traceback in the log
        log.debug("unexpected error", command=command, exc_info=True)
        print(
            f"flexibatch: unexpected {type(exc).__name__} ({_one_line(str(exc))}), a fault of flexibatch's own: "
            "run the command again with --verbose for its traceback in the log on standard error",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
