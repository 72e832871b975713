"""The bytes of a CSV submission (SPEC 1.1, 6.3): its encoding, read as UTF-8 for pandas, its separator."""

from __future__ import annotations

import codecs
from pathlib import Path

from flexibatch.formats.streams import ByteSource

_HEADER_BYTES = 64 * 1024
_SCAN_BYTES = 1024 * 1024
#: SPEC 1.1: what Excel's "CSV (separator: semicolon)" writes on a Belgian machine.
WINDOWS = "cp1252"


def encoding_of(paths: list[Path]) -> str:
    """SPEC 1.1: UTF-8 (a BOM allowed) when every byte of the parts reads as UTF-8, else Windows-1252.
    One read of the file before the rows: a file that turned out not to be UTF-8 half-way through
    could not be decided again from its start."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for path in paths:
            with path.open("rb") as handle:
                while chunk := handle.read(_SCAN_BYTES):
                    decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return WINDOWS
    return "utf-8"


class Transcoded:
    """A Windows-1252 stream read as UTF-8 bytes, for pandas (which decodes a stream it is given as
    UTF-8 whatever its `encoding`). A byte Windows-1252 leaves undefined (0x81) raises
    UnicodeDecodeError, which refuses the file as unreadable."""

    def __init__(self, source: ByteSource, encoding: str) -> None:
        self._source = source
        self._decoder = codecs.getincrementaldecoder(encoding)()

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._source.read(size)
        return self._decoder.decode(chunk, final=not chunk).encode("utf-8")


def separator_of(header: str) -> str:
    """SPEC 6.3: whichever of `;` and `,` the header holds more of (`;` on a tie: Belgian Excel)."""
    return ";" if header.count(";") >= header.count(",") else ","


def first_line(path: Path) -> str:
    """A CSV file's header line, for the separator its NOTI twin answers in."""
    with path.open("rb") as handle:
        return handle.read(_HEADER_BYTES).split(b"\n", 1)[0].decode("latin-1")
