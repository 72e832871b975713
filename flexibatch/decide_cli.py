"""`flexibatch decide` and the intake role of `run` and `watch` (docs/decisions.md, decision 89).

cli.py adds the command and its handler, as it does cli_ops.py's.
"""

from __future__ import annotations

import argparse
import os
import socket
from typing import Any

import structlog

from flexibatch.config import Settings
from flexibatch.service.deciding import RemoteDecider
from flexibatch.service.preflight import check_refdata
from flexibatch.stopping import stop_on_signals
from flexibatch.store import Queue, Store, opened, queue_of
from flexibatch.store.postgresql.connection import redacted

log = structlog.get_logger()


def _add_role_option(parser: argparse.ArgumentParser) -> None:
    """`run --role` and `watch --role`."""
    parser.add_argument(
        "--role",
        choices=("all", "intake"),
        help="all: claim, decide and publish on this host (default); intake: claim, hand each "
        "submission to `flexibatch decide` workers through a PostgreSQL state, publish their "
        "answers (env FLEXIBATCH_ROLE)",
    )


def add_command(
    commands: Any, command: Any, common: argparse.ArgumentParser, roles: tuple[argparse.ArgumentParser, ...]
) -> None:
    """`decide`, and the `--role` option of the commands `roles` (`run`, `watch`)."""
    for parser in roles:
        _add_role_option(parser)
    decide = command(
        commands,
        "decide",
        "decide what an intake host registered in a PostgreSQL state, on any host, through the "
        "state alone (never the inbox or the outbox), until stopped",
        [common],
    )
    decide.add_argument(
        "--once", action="store_true", help="exit when no submission is left to take instead of waiting"
    )
    decide.add_argument(
        "--name", help="how this worker names itself in its log and in the queue (default HOST:PID)"
    )


def role_queue(settings: Settings, store: Store) -> Queue | None:
    """The queue of the intake role; None for the role `all`."""
    return queue_of(store, "the intake role") if settings.role == "intake" else None


def decide(args: argparse.Namespace, settings: Settings) -> int:
    name: str = args.name or f"{socket.gethostname()}:{os.getpid()}"
    with opened(
        settings.state, "write", settings.busy_timeout_seconds, settings.peer_timeout_seconds
    ) as store:
        queue = queue_of(store, "flexibatch decide")
        check_refdata(settings, store)
        stop = stop_on_signals()
        log.info("deciding for the intake", state=redacted(settings.state), worker=name)
        decided = RemoteDecider(settings, store, queue, name).work(stop, once=args.once)
    print(f"{decided} submission(s) decided")
    return 0
