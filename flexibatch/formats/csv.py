"""CSV reading (SPEC 6.3): header and separator, bounded chunks with pandas, cells with row and column.

The header decides the separator (`;` from Belgian spreadsheets, or `,`) and must name known columns
only, case-insensitively; unknown, repeated or missing required columns refuse the file (ACRF-102,
naming the column). Rows are read by pandas in chunks of `batch_size`, every cell as text; a row that
cannot be tokenised (unbalanced quotes, more cells than the header, a byte neither UTF-8 nor
Windows-1252) refuses the file too. The file is UTF-8 when every byte of it is, else Windows-1252,
which Excel's "CSV (separator: semicolon)" writes on a Belgian machine (SPEC 1.1).
A cell that cannot be read as its column's type is an anomaly of its declaration only (90000-102), and
so is a cell holding a character XML 1.0 forbids (a control character): its declaration is refused,
naming the column, while such a character in the header refuses the file (ACRF-102).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from flexibatch.domain.anomalies import N_, Anomaly, Diagnostic, anomaly, diagnostic
from flexibatch.formats.csv_bytes import Transcoded, encoding_of, separator_of
from flexibatch.formats.streams import ByteSource, FormBatch, Parts, Rewound
from flexibatch.formats.text import REPLACEMENT, first_forbidden, has_forbidden

T = TypeVar("T")

_HEADER_BYTES = 64 * 1024
_DAY_MONTH_YEAR = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOUR = re.compile(r"([01]\d|2[0-3]):?([0-5]\d)")
_EUROS = re.compile(r"-?\d+([.,]\d{1,2})?")
#: 1.234,56 and 1,234.56: groups of three digits, then the other mark and the cents.
_GROUPED_EUROS = (
    (re.compile(r"-?\d{1,3}(\.\d{3})+,\d{1,2}"), "."),
    (re.compile(r"-?\d{1,3}(,\d{3})+\.\d{1,2}"), ","),
)


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its row number (the header is row 1), its non-empty cells by column, and the
    columns whose cell holds a character XML 1.0 forbids."""

    line: int
    cells: dict[str, str]
    forbidden: tuple[str, ...] = ()


def forbidden_anomalies(row: Row) -> list[Anomaly]:
    """90000-102 for each cell of the row that holds a character XML 1.0 forbids: the declaration
    cannot be answered as it was written. The Value is the cell; answers write the character as U+FFFD."""
    found = []
    for column in row.forbidden:
        value = row.cells[column]
        character = first_forbidden(value) or REPLACEMENT
        found.append(
            anomaly(
                "90000-102",
                column,
                value,
                N_(
                    "Row {row}, column {column}: the cell holds {character}, "
                    "a character XML does not allow (a control character)."
                ),
                row=row.line,
                column=column,
                character=f"U+{ord(character):04X}",
            )
        )
    return found


@dataclass
class Cells:
    """Typed access to a row's cells; every cell that cannot be read becomes an anomaly.

    `limits` are the lengths the XML twin's schema allows, so a CSV never carries what XML cannot.
    """

    row: Row
    limits: Mapping[str, int] = field(default_factory=dict)
    errors: list[Anomaly] = field(default_factory=list)

    def text(self, column: str) -> str | None:
        value = self.row.cells.get(column)
        limit = self.limits.get(column)
        if value is not None and limit is not None and len(value) > limit:
            self._fail(
                column,
                value,
                N_("Row {row}, column {column}: {cell} is longer than {limit} characters."),
                limit=limit,
            )
            return None
        return value

    def _fail(self, column: str, value: str, sentence: str, **args: object) -> None:
        """90000-102 for the cell; `sentence` says what it should be, with the row, column and value."""
        self.errors.append(
            anomaly(
                "90000-102",
                column,
                value,
                sentence,
                row=self.row.line,
                column=column,
                cell=f"'{value}'",
                **args,
            )
        )

    def require(self, column: str, sentence: str, **args: object) -> None:
        """A cell this row cannot do without (the XML schema requires its twin element)."""
        if self.text(column) is None:
            self.errors.append(
                anomaly("90000-102", column, None, sentence, row=self.row.line, column=column, **args)
            )

    def _readable(self, column: str) -> str | None:
        """The cell to read as a type; none when it holds a forbidden character (its anomaly says so)."""
        return None if column in self.row.forbidden else self.text(column)

    def date(self, column: str) -> date | None:
        value = self._readable(column)
        if value is None:
            return None
        try:
            if match := _DAY_MONTH_YEAR.fullmatch(value):
                return date(int(match[3]), int(match[2]), int(match[1]))
            if _ISO_DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self._fail(
            column,
            value,
            N_("Row {row}, column {column}: {cell} is not a date such as 2026-06-25 or 25/06/2026."),
        )
        return None

    def hour(self, column: str) -> time | None:
        value = self._readable(column)
        if value is None:
            return None
        if match := _HOUR.fullmatch(value):
            return time(int(match[1]), int(match[2]))
        self._fail(
            column,
            value,
            N_(
                "Row {row}, column {column}: {cell} is not an hour from 00:00 to 23:59, such as 08:30 or 0830."
            ),
        )
        return None

    def cents(self, column: str) -> int | None:
        """An amount in euros as cents: `500`, `500.00`, `500,00`, with a thousands separator when
        cents follow the other mark (`1.234,56`, `1,234.56`) and a `€` before or after (SPEC 6.3)."""
        value = self._readable(column)
        if value is None:
            return None
        if (amount := euros(value)) is not None:
            return amount
        self._fail(
            column,
            value,
            N_(
                "Row {row}, column {column}: {cell} is not an amount in euros such as 500, 500,00 or € 1.234,56."
            ),
        )
        return None

    def code(self, column: str, example: str) -> str | None:
        """A code of digits only (a country of the RSZ's list), kept as written, leading zeros and all."""
        value = self._readable(column)
        if value is None or (value.isascii() and value.isdigit()):
            return value
        self._fail(
            column,
            value,
            N_("Row {row}, column {column}: {cell} is not a code of digits such as {example}."),
            example=example,
        )
        return None

    def integer(self, column: str) -> int | None:
        value = self._readable(column)
        if value is None:
            return None
        if re.fullmatch(r"-?\d{1,9}", value):
            return int(value)
        self._fail(column, value, N_("Row {row}, column {column}: {cell} is not a whole number."))
        return None

    def choice(self, column: str, allowed: dict[str, str]) -> str | None:
        """A cell that must be one of `allowed` (case-insensitive keys), mapped to its value."""
        value = self._readable(column)
        if value is None:
            return None
        if (mapped := allowed.get(value.upper())) is not None:
            return mapped
        self._fail(
            column,
            value,
            N_("Row {row}, column {column}: {cell} is not one of {allowed}."),
            allowed=", ".join(dict.fromkeys(allowed)),
        )
        return None


def euros(text: str) -> int | None:
    """An amount of euros as written in a CSV cell (see `Cells.cents`), in cents; None if it is not one.
    `1.234` and `1,234` alone are refused: a thousand or one euro twenty-three and a half?"""
    value = text.strip().removeprefix("€").removesuffix("€").strip()
    if _EUROS.fullmatch(value):
        plain = value.replace(",", ".")
    else:
        plain = next(
            (
                value.replace(mark, "").replace(",", ".")
                for pattern, mark in _GROUPED_EUROS
                if pattern.fullmatch(value)
            ),
            "",
        )
    if not plain:
        return None
    try:
        return int(Decimal(plain) * 100)
    except InvalidOperation:
        return None


def _header_problem(sentence: str, name: str, position: int | None) -> Diagnostic:
    """ACRF-102 about a column of the header (its position when it is there)."""
    return diagnostic("ACRF-102", sentence, line=1, column=position, path=name, name=f"'{name}'")


def _row(line: int, names: list[str], values: tuple[Any, ...]) -> Row:
    """The row's non-empty cells, stripped; a cell holding a forbidden character is kept as written
    (strip() drops some controls, even all of a cell), so its declaration is refused, never read
    as if the character were not there."""
    cells = {name: text for name, v in zip(names, values, strict=True) if (text := str(v).strip())}
    if not has_forbidden("".join(map(str, values))):
        return Row(line, cells)
    forbidden = tuple(name for name, v in zip(names, values, strict=True) if has_forbidden(str(v)))
    for name, v in zip(names, values, strict=True):
        if name in forbidden:
            cells[name] = str(v)
    return Row(line, cells, forbidden)


@dataclass
class CsvReader(Generic[T]):
    """Reads one CSV file; `diagnostics` holds every file-level problem found."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    to_records: Callable[[Iterator[Row]], Iterator[T]]
    batch_size: int = 5000
    diagnostics: list[Diagnostic] = field(default_factory=list)
    forms: int = 0

    def read(self, stream: ByteSource) -> Iterator[FormBatch[T]]:
        """Yield the records batch by batch while the file is sound; stop at its first problem."""
        encoding = encoding_of(stream.paths) if isinstance(stream, Parts) else "utf-8"
        head = stream.read(_HEADER_BYTES)
        end = head.find(b"\n")
        header_bytes, rest = (head, b"") if end < 0 else (head[:end], head[end + 1 :])
        try:
            header_text = header_bytes.decode("utf-8-sig" if encoding == "utf-8" else encoding).strip("\r")
        except UnicodeDecodeError:
            self.diagnostics.append(
                diagnostic("ACRF-102", N_("The header is neither UTF-8 nor Windows-1252."), line=1)
            )
            return
        if not header_text.strip():
            self.diagnostics.append(
                diagnostic("ACRF-157", N_("The file is empty: no header, no declaration."))
            )
            return
        separator = separator_of(header_text)
        written = header_text.split(separator)
        names = [name.strip().strip('"').strip().lower() for name in written]
        if not self._header_ok(names, written):
            return
        batch: list[T] = []
        first = 1
        rows: ByteSource = Rewound(rest, stream)
        if encoding != "utf-8":
            rows = Transcoded(rows, encoding)
        for record in self.to_records(self._rows(rows, separator, names)):
            batch.append(record)
            self.forms += 1
            if len(batch) >= self.batch_size:
                yield FormBatch(first, batch)
                first += len(batch)
                batch = []
        if self.diagnostics:
            return
        if batch:
            yield FormBatch(first, batch)
        if self.forms == 0:
            self.diagnostics.append(diagnostic("ACRF-157", N_("The file has a header but no row.")))

    def _header_ok(self, names: list[str], written: list[str]) -> bool:
        for position, (name, raw) in enumerate(zip(names, written, strict=True), start=1):
            if (character := first_forbidden(raw)) is not None:
                self.diagnostics.append(
                    diagnostic(
                        "ACRF-102",
                        N_(
                            "Column {position} of the header holds {character}, "
                            "a character XML does not allow (a control character)."
                        ),
                        line=1,
                        column=position,
                        path=name or raw,
                        position=position,
                        character=f"U+{ord(character):04X}",
                    )
                )
            elif name not in self.columns:
                self.diagnostics.append(_header_problem(N_("Unknown column {name}."), name, position))
            elif names.index(name) != position - 1:
                self.diagnostics.append(_header_problem(N_("Column {name} is given twice."), name, position))
        for name in self.required:
            if name not in names:
                self.diagnostics.append(_header_problem(N_("Required column {name} is missing."), name, None))
        return not self.diagnostics

    def _rows(self, stream: ByteSource, separator: str, names: list[str]) -> Iterator[Row]:
        import pandas as pd  # noqa: PLC0415 - a third of every command's start-up; only CSV needs it

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                source: Any = stream  # pandas reads any object with read(); its stubs want a full buffer
                chunks = pd.read_csv(
                    source,
                    sep=separator,
                    names=names,
                    header=None,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    index_col=False,
                    on_bad_lines="error",
                    skip_blank_lines=False,  # keep row numbers as a spreadsheet shows them
                    engine="c",
                    encoding="utf-8",
                    chunksize=self.batch_size,
                )
                for chunk in chunks:
                    for offset, values in zip(
                        chunk.index, chunk.itertuples(index=False, name=None), strict=True
                    ):
                        row = _row(int(offset) + 2, names, values)
                        if row.cells:  # a blank row (or one of separators only) is no declaration
                            yield row
        except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.diagnostics.append(
                diagnostic("ACRF-102", N_("Not readable as CSV: {reason}"), reason=message)
            )
