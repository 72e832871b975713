"""Deciding a file runs without the cycle collector, and leaves no cycle behind."""

from __future__ import annotations

import gc
import weakref

from flexibatch.gc_tuning import cycles_collected_at_the_end


class _Node:
    def __init__(self) -> None:
        self.itself = self


def test_a_cycle_made_while_a_file_is_decided_is_collected_when_it_is_done() -> None:
    assert gc.isenabled()
    with cycles_collected_at_the_end():
        assert not gc.isenabled(), "no collection while the batches are decided"
        cycle = weakref.ref(_Node())
        assert cycle() is not None, "left to the end"
    assert cycle() is None, "collected once the file is done"
    assert gc.isenabled()


def test_the_collector_comes_back_when_deciding_fails() -> None:
    try:
        with cycles_collected_at_the_end():
            raise OSError(28, "No space left on device")
    except OSError:
        pass
    assert gc.isenabled()
