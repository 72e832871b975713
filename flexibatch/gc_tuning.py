"""When the processes that decide and read look for reference cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def collect_cycles_less_often() -> None:
    """CPython looks for reference cycles every 700 new container objects. A batch makes hundreds of
    thousands of short-lived records, none in a cycle, and the collector re-scanning them took some
    15 % of a monthly run (docs/performance.md); every 50 000 still bounds what a cycle can hold."""
    gc.set_threshold(50_000, 20, 20)


@contextmanager
def cycles_collected_at_the_end() -> Iterator[None]:
    """No cycle collection while a file is read or decided, one when it is done. Even every 50 000
    containers, the collector scanned each batch's rows and records while they were alive: 10 % of
    the processor on a FLEX file, whose rows nest tuples. What a file makes in a cycle is a few
    hundred objects in 200 000 declarations; they are all young, and collected at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()
