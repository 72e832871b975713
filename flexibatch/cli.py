"""The command line (SPEC 10): parse options, call one service, print a short result.

Exit status: 0 when the run worked, whatever the declarations' fate; 2 for a usage or configuration
error, found before anything moves; 1 for anything else. Errors are one sentence on standard error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import structlog

from flexibatch import __version__, cli_ops, decide_cli, logs
from flexibatch.config import Settings, load_settings
from flexibatch.domain.results import FileOutcome
from flexibatch.errors import ChannelError, ConfigError, FlexibatchError, NotFound, StoreError
from flexibatch.formats.refdata import read_refdata
from flexibatch.gc_tuning import collect_cycles_less_often
from flexibatch.i18n import LANGUAGES, Translate, printing_language, translator
from flexibatch.identifiers import insz
from flexibatch.printing import period_lines, status_lines, worker_lines
from flexibatch.report import command as report_command
from flexibatch.service.preflight import check_folders as _check_folders
from flexibatch.service.preflight import check_processing as _check_processing
from flexibatch.service.run import Outcome, Processor
from flexibatch.store import OpenMode, Store, opened
from flexibatch.store.base import SubmissionQuery
from flexibatch.views import employer_run_view, employer_view, status_view, worker_view
from flexibatch.wage_run_cli import print_wage_run, wage_run_options, wage_run_range
from flexibatch.wage_run_text import worker_run_lines

log = structlog.get_logger()

#: The run worked, whatever the declarations' fate: a refusal is an answer, not a failure.
EXIT_OK: Final = 0
#: Anything else: a submission the processor could not finish, a state busy for too long.
EXIT_FAILURE: Final = 1
#: A usage or configuration error (argparse exits with it too): nothing was moved.
EXIT_USAGE: Final = 2
#: What a view was asked about is not there (no such employer): the operator's mistake, as a usage error.
EXIT_NOT_FOUND: Final = EXIT_USAGE
#: The reader of the output went away (`status | head`): the status SIGPIPE gives a Unix command.
EXIT_PIPE_CLOSED: Final = 128 + signal.SIGPIPE


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


def _printing() -> argparse.ArgumentParser:
    """The option of the commands that print for people (SPEC 10)."""
    printing = argparse.ArgumentParser(add_help=False)
    printing.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="the language of the words printed, never of the data or the --json keys "
        "(env FLEXIBATCH_LANG; default the setting default_language, en unless set)",
    )
    return printing


def _words(settings: Settings) -> Translate:
    return translator(printing_language(settings.lang, settings.default_language))


def _parser() -> argparse.ArgumentParser:
    common, folders = _common_options()
    printing = _printing()
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

    running = command(commands, "run", "process every ready submission once, then exit", [common, folders])
    watching = command(
        commands,
        "watch",
        "keep processing as files arrive until stopped (SIGTERM finishes the submission in hand)",
        [common, folders],
    )
    cli_ops.add_metrics_option(watching)
    decide_cli.add_command(commands, command, common, roles=(running, watching))
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
        [common, folders, printing],
    )
    status.add_argument(
        "--limit", type=int, default=20, help="how many recent submissions to list (default 20)"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    cli_ops.add_status_filters(status)
    worker = command(
        commands,
        "worker",
        "a worker's flexi income per employer and in total against the ceiling, and their Dimona periods",
        [common, printing],
    )
    worker.add_argument("insz", metavar="INSZ")
    worker.add_argument("--year", type=int, help="the income year (default: the current year)")
    employer = command(
        commands,
        "employer",
        "the workers an employer declared, with their wage transfers and Dimona periods; with --from "
        "and --to, the wage run of those days: who has a Dimona without wages, or wages without a Dimona",
        [common, printing],
    )
    employer.add_argument("employer_id", metavar="ID", help="RSZ number or enterprise number")
    wage_run_options(employer)
    cli_ops.add_commands(commands, command, common, folders)
    report_command.add_arguments(
        command(
            commands,
            "report",
            "a self-contained HTML report of the submissions received in a period",
            [common, printing],
        )
    )
    for view in (worker, employer):
        view.add_argument(
            "--env", choices=("R", "T"), default="R", help="production (R, default) or test (T)"
        )
    worker.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        config=getattr(args, "config", None),
        state=getattr(args, "state", None),
        inbox=getattr(args, "inbox", None),
        outbox=getattr(args, "outbox", None),
        lang=getattr(args, "lang", None),
        role=getattr(args, "role", None),
    )


def _opened(settings: Settings, mode: OpenMode) -> AbstractContextManager[Store]:
    """The state for one command, closed when it ends (see `store.opened`)."""
    return opened(settings.state, mode, settings.busy_timeout_seconds, settings.peer_timeout_seconds)


def _summary(outcomes: list[Outcome]) -> str:
    """`7 submission(s) answered: 3 ACCEPTED, 1 PARTLY_REFUSED, ...; 19 declaration(s), 3 refused`."""
    each = Counter(o.file_outcome for o in outcomes)
    declarations = sum(o.declarations for o in outcomes)
    refused_declarations = sum(o.refused for o in outcomes)
    shown = ", ".join(f"{each[outcome]} {outcome}" for outcome in FileOutcome if each[outcome])
    return (
        f"{len(outcomes)} submission(s) answered{': ' + shown if shown else ''}; "
        f"{declarations} declaration(s), {refused_declarations} refused"
    )


def _run(args: argparse.Namespace, settings: Settings) -> int:
    _check_folders(settings)
    with _opened(settings, "write") as store:
        _check_processing(settings, store)
        queue = decide_cli.role_queue(settings, store)
        processor = Processor(settings, store, queue=queue)
        outcomes = processor.run_once()
        waiting = 0 if queue is None else queue.waiting()
    print(_summary(outcomes))
    if waiting:
        print(f"{waiting} submission(s) handed on, waiting for a `flexibatch decide` worker")
    if processor.failures:
        print(
            f"{processor.failures} submission(s) failed for a reason of the processor's own: tried again "
            "later, or given up (see the log and `flexibatch status`)"
        )
        return EXIT_FAILURE
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
    query = SubmissionQuery(sender=args.sender, since=args.since, outcome=args.outcome)
    with _opened(settings, "read") as store:
        view = status_view(
            store,
            settings.inbox,
            args.limit,
            settings.settle_seconds,
            settings.go_timeout_seconds,
            query=query,
        )
    if args.json:
        _print_json(view)
        return EXIT_OK
    print("\n".join(status_lines(view, _words(settings))))
    return EXIT_OK


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    year: int = args.year or settings.business_now().year
    with _opened(settings, "read") as store:
        view = worker_view(store, insz(args.insz), year, args.env, settings.ceilings)
    if args.json:
        _print_json(view)
        return EXIT_OK
    words = _words(settings)
    print("\n".join(worker_lines(view, words) + worker_run_lines(view.wage_run, view.year, words)))
    return EXIT_OK


def _employer_run(args: argparse.Namespace, settings: Settings, first: date, last: date) -> int:
    with _opened(settings, "read") as store:
        view = employer_run_view(store, args.employer_id, args.env, first, last, missing_only=args.missing)
    print_wage_run(view, args, _words(settings))
    return EXIT_OK


def _employer(args: argparse.Namespace, settings: Settings) -> int:
    days = wage_run_range(args)
    if days is not None:
        return _employer_run(args, settings, *days)
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
        print("\n".join(period_lines(worker.dimona_periods, _words(settings), "    ")))
    return EXIT_OK


Handler = Callable[[argparse.Namespace, Settings], int]

#: One handler per command (and per `refdata` action): nothing falls through to another.
HANDLERS: Final[dict[str, Handler]] = {
    "run": _run,
    "watch": cli_ops.watch_channel,
    "decide": decide_cli.decide,
    "refdata load": _load_refdata,
    "status": _status,
    "worker": _worker,
    "employer": _employer,
    **cli_ops.HANDLERS,
    "report": report_command.handle,
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
    except BrokenPipeError:  # nobody reads the rest: stop without a word, as `head` expects
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return EXIT_PIPE_CLOSED
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
