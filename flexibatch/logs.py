"""structlog, configured once by the CLI: JSON when not on a terminal, readable lines on one; and
how a loop says a failure that repeats (`SaidOnce`)."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

import structlog

from flexibatch.errors import FlexibatchError


def _timestamp(logger: object, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The moment of a line in the server's local time with its UTC offset
    (`2026-06-24T11:50:00.123+02:00`): never a time a reader must guess the zone of."""
    event["timestamp"] = datetime.now().astimezone().isoformat(timespec="milliseconds")
    return event


def configure(verbose: bool = False) -> None:
    # A JSON line carries an error's traceback as text ("exception"); the console renderer prints it.
    rendering: list[structlog.typing.Processor] = (
        [structlog.dev.ConsoleRenderer(colors=False)]
        if sys.stderr.isatty()
        else [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _timestamp,
            *rendering,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO),
        # One write per line (message and newline together): workers logging into one file never
        # interleave inside a line, as print()'s two writes let them.
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


class SaidOnce:
    """A loop's failure, said once until its reason changes, then that it works again: the inbox
    gone or the state unreachable in one line; a fault of flexibatch's own with its traceback."""

    def __init__(self, failed: str, works_again: str) -> None:
        self._failed = failed
        self._works_again = works_again
        self._reason: str | None = None

    def failed(self, error: Exception) -> None:
        if (reason := f"{type(error).__name__}: {error}") != self._reason:
            log = structlog.get_logger()
            if isinstance(error, FlexibatchError):
                log.error(self._failed, reason=str(error))
            else:
                log.exception(self._failed)
        self._reason = reason

    def worked(self) -> None:
        if self._reason is not None:
            structlog.get_logger().info(self._works_again, failed_with=self._reason)
        self._reason = None
