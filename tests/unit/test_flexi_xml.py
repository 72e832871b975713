"""A FLXWAGE Form read in one walk over its elements: every value reaches its place in the declaration.

The reader walks a Form's elements in document order and tells where each value goes by its tag
alone (formats/flexi_xml.py). Here, Forms of every shape the schema allows (several beneficiaries,
relations, calculations, features and financial elements, References on the Form and on its
relations, optional leaves left out) are written by the test builders, laid out on one line or
indented, with the default namespace or a prefix, and read back. What the reader makes of each is
held to what the test wrote, path by path.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from flexibatch.domain.flexi import Beneficiary, Calculation, Features, FinancialElement, Relation
from flexibatch.formats.flexi_xml import NAMESPACE, flexi_reader
from support.builders import CBE_BRASSERIE, INSZ_A, INSZ_B, INSZ_C, NOSS_BRASSERIE
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    UUID_3,
    WAGE,
    beneficiary,
    calculation,
    element,
    features,
    flxwage,
    relation,
    wage_form,
)

DAYS = [date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1), date(2026, 6, 30)]


@dataclass(frozen=True)
class WrittenElement:
    code: str
    amount: int
    frequency: int | None

    def xml(self) -> str:
        return element(self.code, self.amount, self.frequency)

    def expected(self, path: str) -> FinancialElement:
        return FinancialElement(path, "1", self.code, self.amount, self.frequency)


@dataclass(frozen=True)
class WrittenFeatures:
    start: date
    end: date
    worker_code: str
    elements: tuple[WrittenElement, ...]

    def xml(self) -> str:
        elements = (e.xml() for e in self.elements)
        return features(str(self.start), str(self.end), *elements, worker_code=self.worker_code)

    def expected(self, path: str) -> Features:
        parts = tuple(e.expected(f"{path}/FinancialElement[{i}]") for i, e in enumerate(self.elements, 1))
        return Features(path, self.start, self.end, "000", self.worker_code, parts)


@dataclass(frozen=True)
class WrittenCalculation:
    start: date
    end: date
    calculated: date
    features: tuple[WrittenFeatures, ...]

    def xml(self) -> str:
        parts = (f.xml() for f in self.features)
        return calculation(str(self.start), str(self.end), *parts, calculated=str(self.calculated))

    def expected(self, path: str) -> Calculation:
        parts = tuple(f.expected(f"{path}/Features[{i}]") for i, f in enumerate(self.features, 1))
        return Calculation(path, self.start, self.end, self.calculated, parts)


@dataclass(frozen=True)
class WrittenRelation:
    relation_ids: tuple[str, ...]
    own_key: str | None
    calculations: tuple[WrittenCalculation, ...]

    def xml(self) -> str:
        first, also = (*self.relation_ids, None, None)[:2]
        return relation(first, *(c.xml() for c in self.calculations), own_key=self.own_key, also=also)

    def expected(self, path: str) -> Relation:
        parts = tuple(c.expected(f"{path}/Calculation[{i}]") for i, c in enumerate(self.calculations, 1))
        return Relation(path, self.relation_ids, self.own_key, parts)


elements = st.builds(
    WrittenElement,
    code=st.sampled_from([WAGE, PREMIUM, "0003001000"]),
    amount=st.integers(0, 10**9),
    frequency=st.none() | st.integers(0, 12),
)
features_strategy = st.builds(
    WrittenFeatures,
    start=st.sampled_from(DAYS),
    end=st.sampled_from(DAYS),
    worker_code=st.sampled_from(["050", "450", "123"]),
    elements=st.lists(elements, max_size=3).map(tuple),
)
calculations = st.builds(
    WrittenCalculation,
    start=st.sampled_from(DAYS),
    end=st.sampled_from(DAYS),
    calculated=st.sampled_from(DAYS),
    features=st.lists(features_strategy, min_size=1, max_size=2).map(tuple),
)
# A relation's References: at most two (the schema), relation ids (origin 8) and an own key (origin 1).
relations = st.one_of(
    st.builds(
        WrittenRelation,
        relation_ids=st.lists(st.sampled_from([UUID_1, UUID_2, UUID_3]), min_size=1, max_size=2).map(tuple),
        own_key=st.none(),
        calculations=st.lists(calculations, max_size=2).map(tuple),
    ),
    st.builds(
        WrittenRelation,
        relation_ids=st.sampled_from([(), (UUID_2,)]),
        own_key=st.just("K1"),
        calculations=st.lists(calculations, max_size=2).map(tuple),
    ),
)
beneficiaries = st.tuples(
    st.sampled_from([INSZ_A, INSZ_B, INSZ_C]), st.lists(relations, min_size=1, max_size=3).map(tuple)
)


@dataclass(frozen=True)
class WrittenForm:
    beneficiaries: tuple[tuple[str, tuple[WrittenRelation, ...]], ...]
    company_id: str | None
    noss: str | None
    reference: str | None
    modifies: str | None

    def xml(self) -> str:
        return wage_form(
            *(beneficiary(insz, *(r.xml() for r in rels)) for insz, rels in self.beneficiaries),
            company_id=self.company_id,
            noss=self.noss,
            reference=self.reference,
            modifies=self.modifies,
        )

    def expected(self) -> tuple[Beneficiary, ...]:
        return tuple(
            Beneficiary(
                f"Debtor/Beneficiary[{b}]",
                insz,
                tuple(r.expected(f"Debtor/Beneficiary[{b}]/Relation[{i}]") for i, r in enumerate(rels, 1)),
            )
            for b, (insz, rels) in enumerate(self.beneficiaries, 1)
        )


forms = st.builds(
    WrittenForm,
    beneficiaries=st.lists(beneficiaries, min_size=1, max_size=3).map(tuple),
    company_id=st.none() | st.just(CBE_BRASSERIE),
    noss=st.none() | st.just(NOSS_BRASSERIE),
    reference=st.none() | st.just("W1"),
    modifies=st.none() | st.just("W0"),
)


def _laid_out(document: bytes, indented: bool, prefixed: bool) -> bytes:
    text = document.decode()
    if prefixed:  # the same namespace under a prefix: the tags libxml2 reports are the same
        text = re.sub(r"<(/?)(\w+)", r"<\1f:\2", text).replace(
            f'xmlns="{NAMESPACE}"', f'xmlns:f="{NAMESPACE}"'
        )
    if indented:  # whitespace between elements, as a pretty-printer writes it
        text = text.replace("><", ">\n    <")
    return text.encode()


@settings(max_examples=200, deadline=None)
@given(
    written=st.lists(forms, min_size=1, max_size=4),
    indented=st.booleans(),
    prefixed=st.booleans(),
    batch_size=st.sampled_from([1, 3, 5000]),
)
def test_every_value_of_a_form_reaches_its_place(
    written: list[WrittenForm], indented: bool, prefixed: bool, batch_size: int
) -> None:
    document = _laid_out(flxwage(*(form.xml() for form in written)), indented, prefixed)
    reader = flexi_reader(batch_size)
    declarations = [d for batch in reader.read(io.BytesIO(document)) for d in batch.records]
    assert reader.diagnostics == []
    assert [d.index for d in declarations] == list(range(1, len(written) + 1))
    for declaration, form in zip(declarations, written, strict=True):
        assert declaration.beneficiaries == form.expected()
        assert declaration.company_id == form.company_id
        assert declaration.noss == form.noss
        expected_references = [("1", "1", form.reference)] if form.reference else []
        expected_references += [("3", "1", form.modifies)] if form.modifies else []
        assert [(r.type, r.origin, r.number) for r in declaration.references] == expected_references
        assert declaration.header.creation_date == "2026-06-24"
