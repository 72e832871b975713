"""What every reader shares: a source of bytes, rewinding a peeked head, batches of records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from flexibatch.domain.anomalies import Diagnostic

T = TypeVar("T")


class ByteSource(Protocol):
    """Anything that reads bytes: a file, or the parts of a multi-part submission in sequence."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass
class FormBatch(Generic[T]):
    """Records read from consecutive Forms: `first_index` is the 1-based index of the first."""

    first_index: int
    records: list[T]


class DeclarationReader(Protocol[T]):
    """An XML or CSV reader: declarations in batches, and the file-level problems it found."""

    @property
    def diagnostics(self) -> list[Diagnostic]: ...

    def read(self, stream: ByteSource) -> Iterator[FormBatch[T]]: ...


class Rewound:
    """A stream whose first bytes were already read for the prolog check."""

    def __init__(self, head: bytes, rest: ByteSource) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)
