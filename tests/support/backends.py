"""A backend of the store as the contract tests see it (tests/integration/contract/).

A way to open one state more than once: `open()` the unit of work a test writes through, and
`open("read")` a second, independent connection to the same state, as the read-only commands open
it. Every store opened is closed when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flexibatch.store import OpenMode, Store


@dataclass
class Backend:
    name: str
    opener: Callable[[OpenMode], Store]
    opened: list[Store] = field(default_factory=list)

    def open(self, mode: OpenMode = "create") -> Store:
        store = self.opener(mode)
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in reversed(self.opened):
            store.close()
