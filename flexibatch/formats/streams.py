"""What every reader shares: a source of bytes, rewinding a peeked head, batches of records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Generic, Protocol, TypeVar

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


class Parts:
    """The FI parts of a submission read as one stream, in part order (SPEC 1.1)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        self._pending = iter(self.paths)
        self._current: IO[bytes] | None = None

    def read(self, size: int = -1) -> bytes:
        while True:
            if self._current is None:
                path = next(self._pending, None)
                if path is None:
                    return b""
                self._current = path.open("rb")
            data = self._current.read(size)
            if data or size == 0:
                return data
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()

    def lines(self, wanted: set[int]) -> dict[int, str]:
        """The text of these lines of the parts read as one (1-based), read again from the start;
        for the columns of a refused file's diagnostics. Bytes are read as UTF-8, else Latin-1."""
        found: dict[int, str] = {}
        last = max(wanted, default=0)
        number = 0
        for path in self.paths:
            with path.open("rb") as handle:
                for raw in handle:  # a part that ends without a newline joins the next part's first line
                    number += 1
                    if number in wanted:
                        found[number] = raw.decode("utf-8", errors="replace")
                    if number >= last:
                        return found
                if not raw.endswith(b"\n"):
                    number -= 1
        return found


class DeclarationReader(Protocol[T]):
    """An XML or CSV reader: declarations in batches, and the file-level problems it found."""

    @property
    def diagnostics(self) -> list[Diagnostic]: ...

    def read(self, stream: Parts) -> Iterator[FormBatch[T]]: ...


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
