"""What the statements both backends share need of a driver (store/reads.py, store/failures.py,
store/schema.py): a connection that executes, and its placeholders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class Executes(Protocol):
    """What the reads need of a driver's connection: `execute`, its rows iterated."""

    def execute(self, sql: str, params: Sequence[Any], /) -> Iterable[Sequence[Any]]: ...


def marked(sql: str, mark: str) -> str:
    """A statement written with `?` placeholders, with the driver's `mark` instead. Every `?` is a
    placeholder: no statement of the stores holds one (nor a `%`) in a literal."""
    return sql if mark == "?" else sql.replace("?", mark)
