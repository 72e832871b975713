"""How often the processes that decide and read look for reference cycles."""

from __future__ import annotations

import gc


def collect_cycles_less_often() -> None:
    """CPython looks for reference cycles every 700 new container objects. A batch makes hundreds of
    thousands of short-lived records, none in a cycle, and the collector re-scanning them took some
    15 % of a monthly run (docs/performance.md); every 50 000 still bounds what a cycle can hold."""
    gc.set_threshold(50_000, 20, 20)
