"""The commands of running the channel for months (SPEC 10): `config`, `replay`, `backup`, `prune`.

Each parses its arguments, calls one service and prints a short result, as cli.py's commands do;
cli.py adds them to its parser and its handlers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import structlog

from flexibatch.config import Settings, origins, systemd_environment
from flexibatch.decide_cli import role_queue
from flexibatch.domain.results import FileOutcome
from flexibatch.identifiers import day
from flexibatch.monitoring.server import address
from flexibatch.monitoring.systemd import Notifier
from flexibatch.monitoring.watching import serve
from flexibatch.service.preflight import check_folders, check_processing
from flexibatch.service.prune import prune
from flexibatch.service.replay import replay
from flexibatch.service.run import Processor
from flexibatch.stopping import stop_on_signals
from flexibatch.store import backup_state, opened

log = structlog.get_logger()

Handler = Callable[[argparse.Namespace, Settings], int]
#: Makes one command of the parser: (subparsers, name, help, parents) -> its parser.
MakeCommand = Callable[[Any, str, str, list[argparse.ArgumentParser]], argparse.ArgumentParser]


def add_commands(
    commands: Any, command: MakeCommand, common: argparse.ArgumentParser, folders: argparse.ArgumentParser
) -> None:
    shown = command(
        commands,
        "config",
        "print the effective settings as TOML, and where each came from (file, environment, option, default)",
        [common, folders],
    )
    shown.add_argument("--json", action="store_true", help="machine-readable output")
    again = command(
        commands,
        "replay",
        "process again a submission refused as a whole or given up, under a new ticket; earlier answers stay",
        [common, folders],
    )
    again.add_argument("ticket", metavar="TICKET", help="the file ticket `flexibatch status` shows")
    copy = command(
        commands,
        "backup",
        "write a consistent copy of the SQLite state to the file DEST while the channel runs "
        "(one file; restoring it is copying it back while no processor runs)",
        [common],
    )
    copy.add_argument("dest", type=Path, metavar="DEST")
    old = command(
        commands,
        "prune",
        "remove the archived and quarantined files of submissions received more than DAYS days ago "
        "(real clock); their records stay, claims in progress, the inbox and the outbox are never touched",
        [common],
    )
    old.add_argument("--older-than", type=_days, required=True, metavar="DAYS", help="whole days, 1 or more")
    old.add_argument("--dry-run", action="store_true", help="list what would go, remove nothing")


def add_status_filters(parser: argparse.ArgumentParser) -> None:
    """`status --sender N --since DAY --outcome O`."""
    parser.add_argument("--sender", type=sender_number, help="only this sender's submissions (6 digits)")
    parser.add_argument(
        "--since", type=day, metavar="YYYY-MM-DD", help="only those received on this day or later"
    )
    parser.add_argument(
        "--outcome",
        type=FileOutcome,
        choices=list(FileOutcome),
        metavar="OUTCOME",
        help="only those that came to this: " + ", ".join(FileOutcome),
    )


def add_metrics_option(parser: argparse.ArgumentParser) -> None:
    """`watch --metrics HOST:PORT`."""
    parser.add_argument(
        "--metrics",
        type=metrics_address,
        metavar="HOST:PORT",
        help="serve Prometheus metrics at /metrics and a health check at /healthz (200 or 503)",
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):  # the ceilings, in euros as FLEXIBATCH_CEILINGS writes them
        return json.dumps(",".join(f"{year}={cents / 100:.2f}" for year, cents in sorted(value.items())))
    return json.dumps(str(value))


def _config(args: argparse.Namespace, settings: Settings) -> int:
    came_from = origins(
        config=getattr(args, "config", None),
        state=getattr(args, "state", None),
        inbox=getattr(args, "inbox", None),
        outbox=getattr(args, "outbox", None),
    )
    values: dict[str, object] = dict(settings)
    values["work"] = settings.work_dir
    if settings.work is None:
        came_from["work"] = "default (beside the state)"
    if args.json:
        shown = {
            name: {"value": None if value is None else json.loads(_json(value)), "from": came_from[name]}
            for name, value in values.items()
        }
        print(json.dumps(shown, indent=2))
        return 0
    for name, value in values.items():
        if value is None:
            print(f"# {name} is unset ({came_from[name]}: the real clock)")
        else:
            print(f"{name} = {_toml_value(value)}  # {came_from[name]}")
    return 0


def _json(value: object) -> str:
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, dict):
        return json.dumps({str(k): v for k, v in value.items()})
    return json.dumps(value, default=str)


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    check_folders(settings)
    with opened(settings.state, "write", settings.busy_timeout_seconds) as store:
        check_processing(settings, store)
        processor = Processor(settings, store)
        done = replay(processor, args.ticket.strip().upper())
    if done.outcome is None:
        print(f"the submission {args.ticket} failed again: see the log and `flexibatch status`")
        return 1
    shown = done.outcome
    print(
        f"replayed {args.ticket} as {done.ticket}: {shown.file_outcome}, {shown.declarations} declaration(s), "
        f"{shown.refused} refused; answers {', '.join(shown.answers) or 'published'}"
    )
    return 0


def _days(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 36500:
        raise argparse.ArgumentTypeError(f"DAYS is a whole number of days from 1 to 36500, not {text!r}")
    return int(text)


def _prune(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings.state, "read", settings.busy_timeout_seconds) as store:
        done = prune(settings.work_dir, store, args.older_than, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for folder in done.removed:
        print(f"{verb} {folder}")
    for folder, why in done.kept.items():
        print(f"kept {folder}: {why}")
    print(
        f"{verb} the files of {len(done.removed)} submission(s) received more than {args.older_than} day(s) "
        f"ago ({done.removed_bytes / 1e6:.1f} MB); their records stay in the state"
    )
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings.state, "read", settings.busy_timeout_seconds):
        pass  # a flexibatch state of this release, or one sentence saying why not
    backup_state(settings.state, args.dest)
    print(f"state {settings.state} backed up to {args.dest} ({args.dest.stat().st_size / 1e6:.1f} MB)")
    return 0


def sender_number(text: str) -> str:
    """A sender number on the command line: its 6 digits."""
    if not re.fullmatch("[0-9]{6}", text.strip()):
        raise argparse.ArgumentTypeError(f"a sender number is 6 digits, such as 123456, not {text!r}")
    return text.strip()


def watch_channel(args: argparse.Namespace, settings: Settings) -> int:
    check_folders(settings)
    with opened(
        settings.state, "write", settings.busy_timeout_seconds, settings.peer_timeout_seconds
    ) as store:
        check_processing(settings, store)
        queue = role_queue(settings, store)
        wake = threading.Event()
        notifier = Notifier.from_environment(systemd_environment(), os.getpid())

        def _stopping() -> None:
            notifier.stopping()
            wake.set()

        stop = stop_on_signals(_stopping)
        processor = Processor(settings, store, queue=queue)
        log.info(
            "watching",
            role=settings.role,
            inbox=str(settings.inbox),
            outbox=str(settings.outbox),
            rescan_s=settings.rescan_seconds,
        )
        serve(settings, processor, stop, wake, notifier=notifier, metrics_at=args.metrics)
    return 0


def metrics_address(text: str) -> tuple[str, int]:
    try:
        return address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


HANDLERS: Final[dict[str, Handler]] = {
    "config": _config,
    "replay": _replay,
    "prune": _prune,
    "backup": _backup,
}
