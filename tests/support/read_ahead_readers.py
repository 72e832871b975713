"""Readers for the read-ahead child that misbehave on purpose (module-level: the child imports them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from flexibatch.formats.dimona_xml import dimona_row_reader
from flexibatch.formats.streams import FormBatch, Parts
from flexibatch.formats.xml import XmlReader


class _DiesAfterOneBatch:
    def __init__(self, inner: XmlReader[Any]) -> None:
        self.inner = inner
        self.diagnostics = inner.diagnostics

    def read(self, stream: Parts) -> Iterator[FormBatch[Any]]:
        for batch in self.inner.read(stream):
            yield batch
            os._exit(3)  # as a reader killed by the kernel would: no word, no diagnostics


def dies_after_one_batch(batch_size: int) -> _DiesAfterOneBatch:
    return _DiesAfterOneBatch(dimona_row_reader(batch_size))
