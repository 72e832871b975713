"""DIMN and FLEX: what serves each purpose, one row of a table instead of a branch per purpose.

A purpose pairs each of its readers with its own locator (an anomaly's logical field path as an
XPath in XML, as a column in CSV), names the XML reader a read-ahead child runs and the function
that turns its rows into records here, the bulk decider, and the Identification its NOTI entries
carry. A new purpose is a new row (and its name in `channel.names.PURPOSES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from flexibatch.config import Settings
from flexibatch.domain.decisions import Decided
from flexibatch.domain.parties import DecisionContext
from flexibatch.formats import dimona_csv, dimona_xml, flexi_csv, flexi_xml
from flexibatch.formats.located import Locator
from flexibatch.formats.read_ahead import ReadAhead
from flexibatch.formats.streams import DeclarationReader
from flexibatch.service.dimona_batch import DimonaBatch
from flexibatch.service.flexi_batch import FlexiBatch
from flexibatch.store.ports import Store

R = TypeVar("R")

#: Decides one batch of records in document order, one format-neutral decision each.
Decide = Callable[[Sequence[R]], list[Decided]]


class MakeDecider(Protocol):
    """The bulk decider of one submission's batches, which issue their numbers from the store."""

    def __call__(
        self, store: Store, ctx: DecisionContext, ticket: str, settings: Settings
    ) -> Decide[Any]: ...


@dataclass(frozen=True, slots=True)
class Format(Generic[R]):
    """One way a purpose's declarations come: a reader and the locator of its anomalies."""

    reader: Callable[[int], DeclarationReader[R]]
    locate: Locator


@dataclass(frozen=True, slots=True)
class Purpose(Generic[R]):
    """What one purpose (SPEC 1.1 names) is read, located, decided and answered with."""

    code: str
    #: The NOTI's Identification of the purpose's declarations.
    identification: str
    xml: Format[R]
    csv: Format[R]
    #: The XML reader a read-ahead child runs (formats/read_ahead), and its rows as records here.
    xml_rows: Callable[[int], DeclarationReader[Any]]
    from_row: Callable[[Any], R]
    decider: MakeDecider

    def format(self, as_xml: bool) -> Format[R]:
        return self.xml if as_xml else self.csv

    def reader(self, as_xml: bool, batch_size: int, *, read_ahead: bool) -> DeclarationReader[R]:
        """A large XML file is read by a second process (formats/read_ahead), the others here."""
        if as_xml and read_ahead:
            return ReadAhead(self.xml_rows, self.from_row, batch_size)
        return self.format(as_xml).reader(batch_size)

    def decide(self, store: Store, ctx: DecisionContext, ticket: str, settings: Settings) -> Decide[R]:
        return self.decider(store, ctx, ticket, settings)


def _dimona(store: Store, ctx: DecisionContext, ticket: str, settings: Settings) -> Decide[Any]:
    return DimonaBatch(store, ctx, ticket).decide


def _flexi(store: Store, ctx: DecisionContext, ticket: str, settings: Settings) -> Decide[Any]:
    return FlexiBatch(store, ctx, ticket, settings.ceilings).decide


DIMONA: Purpose[Any] = Purpose(
    code="DIMN",
    identification="DIMONA",
    xml=Format(dimona_xml.dimona_reader, dimona_xml.xml_locator),
    csv=Format(dimona_csv.dimona_csv_reader, dimona_csv.csv_locator),
    xml_rows=dimona_xml.dimona_row_reader,
    from_row=dimona_xml.declaration_from_row,
    decider=_dimona,
)
FLEXI: Purpose[Any] = Purpose(
    code="FLEX",
    identification="FLXWAGE",
    xml=Format(flexi_xml.flexi_reader, flexi_xml.xml_locator),
    csv=Format(flexi_csv.flexi_csv_reader, flexi_csv.csv_locator),
    xml_rows=flexi_xml.flexi_row_reader,
    from_row=flexi_xml.declaration_from_row,
    decider=_flexi,
)

#: Every purpose by its code in a file name.
PURPOSES: dict[str, Purpose[Any]] = {purpose.code: purpose for purpose in (DIMONA, FLEXI)}
