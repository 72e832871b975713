"""Reading a large file in a second process while this one decides what has been read.

Parsing, validating and turning Forms into values cost about as much as deciding them, and both
hold the GIL. For a large file a child process runs the reader on the machine's other core and sends
each batch through a pipe as plain rows (strings and tuples pickle in a few microseconds; records
would take ten times longer); this process turns the rows into records and decides them. The pipe
holds about one batch, so the child never runs far ahead and memory stays bounded.

The child ignores SIGTERM and SIGINT: the parent handles them (the submission in hand finishes). It
ends when the pipe breaks, so a parent that dies or gives up leaves no reader behind, and a child
that dies makes the submission fail for the processor's own reason: it stays claimed for the next
run, as after any crash.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Generic, TypeVar

from flexibatch.domain.anomalies import Diagnostic
from flexibatch.errors import FlexibatchError
from flexibatch.formats.streams import DeclarationReader, FormBatch, Parts
from flexibatch.gc_tuning import collect_cycles_less_often, cycles_collected_at_the_end

R = TypeVar("R")
T = TypeVar("T")

#: What the child sends last, in place of a batch's first index: the reader's diagnostics follow.
_END = -1
#: How long a child that was told to stop (its pipe closed) may take to notice before it is killed.
_STOP_SECONDS = 5.0


def _read_in_child(
    make_reader: Callable[[int], DeclarationReader[R]],
    batch_size: int,
    paths: Sequence[Path],
    sender: Connection,
) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    collect_cycles_less_often()
    reader = make_reader(batch_size)
    stream = Parts(paths)
    try:
        with cycles_collected_at_the_end():
            for batch in reader.read(stream):
                sender.send((batch.first_index, batch.records, stream.consumed))
        sender.send((_END, reader.diagnostics, stream.consumed))
    except BrokenPipeError:
        pass  # the parent is gone or stopped listening: there is nobody left to read for
    finally:
        stream.close()
        sender.close()


@dataclass
class ReadAhead(Generic[R, T]):
    """A DeclarationReader that runs `make_reader` in a child process and `to_record` here."""

    make_reader: Callable[[int], DeclarationReader[R]]
    to_record: Callable[[R], T]
    batch_size: int
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def read(self, stream: Parts) -> Iterator[FormBatch[T]]:
        context = multiprocessing.get_context("spawn")  # never fork a process that holds the store
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_read_in_child,
            args=(self.make_reader, self.batch_size, stream.paths, sender),
            name="flexibatch-read-ahead",
            daemon=True,
        )
        child.start()
        sender.close()
        try:
            while True:
                try:
                    first_index, payload, stream.consumed = receiver.recv()
                except EOFError:
                    child.join(_STOP_SECONDS)
                    raise FlexibatchError(
                        f"the process reading the file ended without finishing it (exit code {child.exitcode})"
                    ) from None
                if first_index == _END:
                    self.diagnostics.extend(payload)
                    return
                yield FormBatch(first_index, [self.to_record(row) for row in payload])
        finally:
            receiver.close()
            child.join(_STOP_SECONDS)
            if child.is_alive():
                child.kill()
                child.join()
