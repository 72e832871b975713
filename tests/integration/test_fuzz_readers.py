"""Fuzzing the XML readers: whatever bytes arrive, reading never raises, and never ends in silence.

A read either yields records with no diagnostic, or gives at least one file-level diagnostic that
says what is wrong (an ErrorID of SPEC 4 and a sentence). Inputs: arbitrary bytes, bytes behind a
plausible start, valid Dimona and FLXWAGE documents with bytes flipped, cut, inserted, deleted or
digits changed, and random well-formed XML trees over the schemas' own element names. A few of
the mutated documents also go through the whole channel: one receipt, never a stuck claim.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from flexibatch.formats.dimona_xml import dimona_reader
from flexibatch.formats.flexi_xml import NAMESPACE, flexi_reader
from flexibatch.formats.xml import MAX_DIAGNOSTICS, XmlReader
from support.builders import (
    INSZ_B,
    dimona,
    dimona_cancel,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_out,
    dimona_update,
)
from support.channel import Channel
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    beneficiary,
    calculation,
    element,
    features,
    flxwage,
    month,
    relation,
    wage_form,
)

#: The file-level ErrorIDs a reader may give (SPEC 4); the others come from the name or the store.
READER_CODES = {"ACRF-102", "ACRF-129", "ACRF-157", "ACRF-312", "ACRF-901"}

Factory = Callable[[int], XmlReader[Any]]
READERS: dict[str, Factory] = {"DIMN": dimona_reader, "FLEX": flexi_reader}

DIMONA_SEEDS = [
    dimona(dimona_in(reference="F1"), dimona_night(insz=INSZ_B), dimona_day(start="2026-07-01")),
    dimona(dimona_update("200000000169", end_hour="1500"), dimona_cancel("200000000270")),
    dimona(dimona_out("200000000371", "2026-06-30", insz=INSZ_B)),
]
FLEXI_SEEDS = [
    flxwage(wage_form(beneficiary(INSZ_B, relation(UUID_1, month("2026-05-01", "2026-05-31"))))),
    flxwage(
        wage_form(
            beneficiary(
                INSZ_B,
                relation(
                    UUID_2,
                    calculation(
                        "2026-06-01",
                        "2026-06-30",
                        features("2026-06-01", "2026-06-30", element(), element(PREMIUM, 1000, 12)),
                    ),
                    own_key="K1",
                ),
            ),
            reference="W1",
        ),
        wage_form(beneficiary(INSZ_B, relation(UUID_1)), status="3", reference="W2", modifies="W0"),
    ),
]
SEEDS = [("DIMN", seed) for seed in DIMONA_SEEDS] + [("FLEX", seed) for seed in FLEXI_SEEDS]


def read_all(factory: Factory, data: bytes, batch_size: int) -> tuple[list[Any], list[Any]]:
    """Consume the reader fully (no exception may escape); its records and diagnostics."""
    reader = factory(batch_size)
    records = [record for batch in reader.read(io.BytesIO(data)) for record in batch.records]
    problems = list(reader.diagnostics)
    if not problems:
        assert len(records) == reader.forms, "a sound file: every Form became a record"
    return records, problems


def assert_honest(records: list[Any], problems: list[Any]) -> None:
    assert records or problems, "the read ended in silence: no record and no diagnostic"
    assert len(problems) <= MAX_DIAGNOSTICS + 1
    for problem in problems:
        assert problem.code in READER_CODES, problem
        assert problem.message.strip(), problem
        assert problem.line is None or problem.line >= 1, problem
        assert problem.column is None or problem.column >= 1, problem


def _check(purpose: str, data: bytes, batch_size: int) -> tuple[list[Any], list[Any]]:
    records, problems = read_all(READERS[purpose], data, batch_size)
    assert_honest(records, problems)
    return records, problems


purposes = st.sampled_from(sorted(READERS))
batch_sizes = st.sampled_from([1, 2, 5000])


@settings(max_examples=150, deadline=None)
@given(purpose=purposes, data=st.binary(max_size=3000), batch_size=batch_sizes)
def test_arbitrary_bytes_never_raise_and_never_end_in_silence(
    purpose: str, data: bytes, batch_size: int
) -> None:
    _check(purpose, data, batch_size)


PREFIXES = [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Dimona>',
    b"<Dimona><Form>",
    f'<FLXWAGE xmlns="{NAMESPACE}"><Form>'.encode(),
    b"\xef\xbb\xbf<?xml version='1.0' encoding='ISO-8859-1'?><Dimona>",
    b"<!DOCTYPE",
    b"<?xml",
    b"",
]


@settings(max_examples=150, deadline=None)
@given(
    purpose=purposes,
    prefix=st.sampled_from(PREFIXES),
    tail=st.one_of(
        st.binary(max_size=500), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
    ),
    batch_size=batch_sizes,
)
def test_bytes_behind_a_plausible_start_never_raise(
    purpose: str, prefix: bytes, tail: bytes, batch_size: int
) -> None:
    _check(purpose, prefix + tail, batch_size)


# mutations of valid documents -------------------------------------------------------------------

_DIGITS_AND_MORE = b"0123456789+-:Z. "


TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "3",
            "SU",
            "DIMONA",
            "FLXWAGE",
            "FLX",
            "302",
            "2026-06-25",
            "2026-02-29",
            "2026-06-25Z",
            "2026-06-25+01:00",
            "-2026-06-25",
            "10:15:00.000",
            "1000",
            "2400",
            "85031212362",
            "175110801",
            "0400767772",
            "200000000169",
            UUID_1,
            "0001001000",
            "50000",
            "-1",
            "99999999999999999999",
            "+5",
            " 7 ",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)


def _retext(draw: st.DrawFn, data: bytes) -> bytes:
    """Give one leaf of a still well-formed document another value: probes the typed values."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return data
    leaves = [node for node in root.iter() if len(node) == 0]
    leaf = draw(st.sampled_from(leaves))
    leaf.text = draw(TEXTS) or None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes, bytes]:
    """A valid document with a few bytes flipped, cut, inserted, deleted or digits changed."""
    purpose, data = draw(st.sampled_from(SEEDS))
    original = data
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(
            st.sampled_from(["flip", "cut", "insert", "delete", "digit", "digit", "duplicate", "retext"])
        )
        size = len(data)
        at = draw(st.integers(min_value=0, max_value=max(size - 1, 0)))
        if kind == "flip" and size:
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            extra = draw(
                st.sampled_from([b"<", b">", b"&", b"]]>", b"<!--", b"\x00", b"\xff", b"<Form>", b"&#0;"])
            )
            data = data[:at] + extra + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "duplicate":
            length = draw(st.integers(1, 200))
            data = data[: at + length] + data[at : at + length] + data[at + length :]
        elif kind == "retext":
            data = _retext(draw, data)
        else:
            digits = [i for i, byte in enumerate(data) if 0x30 <= byte <= 0x39]
            if digits:
                where = draw(st.sampled_from(digits))
                data = data[:where] + bytes([draw(st.sampled_from(_DIGITS_AND_MORE))]) + data[where + 1 :]
    return purpose, original, data


@settings(max_examples=600, deadline=None)
@given(case=mutated(), batch_size=batch_sizes)
def test_mutated_valid_documents_never_raise_and_never_end_in_silence(
    case: tuple[str, bytes, bytes], batch_size: int
) -> None:
    purpose, _, data = case
    first = _check(purpose, data, batch_size)
    again = _check(purpose, data, batch_size)
    assert [p.code for p in first[1]] == [p.code for p in again[1]], "reading is deterministic"


def test_the_seeds_themselves_are_sound() -> None:
    """The mutations start from documents the readers accept, so they probe past the first check."""
    for purpose, seed in SEEDS:
        records, problems = read_all(READERS[purpose], seed, 1)
        assert records and not problems, problems


# random well-formed trees over the schemas' vocabulary ------------------------------------------

DIMONA_NAMES = [
    "Form", "Identification", "FormCreationDate", "FormCreationHour", "AttestationStatus", "TypeForm",
    "Reference", "ReferenceType", "ReferenceOrigin", "ReferenceNbr", "DimonaIn", "DimonaOut",
    "DimonaUpdate", "DimonaCancel", "StartingDate", "StartingHour", "EndingDate", "EndingHour",
    "EmployerId", "NOSSRegistrationNbr", "CompanyID", "NaturalPerson", "INSS", "DimonaFeatures",
    "WorkerType", "JointCommissionNbr", "DimonaPeriodId", "PlannedHoursNbr",
]  # fmt: skip
FLEXI_NAMES = [
    "Form", "Identification", "FormCreationDate", "FormCreationHour", "AttestationStatus", "TypeForm",
    "Reference", "ReferenceType", "ReferenceOrigin", "ReferenceNbr", "Debtor", "CompanyID",
    "NOSSRegistrationNbr", "Beneficiary", "INSS", "Relation", "RelationType", "Calculation",
    "CalculationPeriodStartingDate", "CalculationPeriodEndingDate", "CalculationDate", "Features",
    "ValidityPeriodStartingDate", "ValidityPeriodEndingDate", "EmployerClass", "WorkerCode",
    "FinancialElement", "FinancialElementType", "FinancialElementCode", "Amount", "BonusPaymentFrequency",
]  # fmt: skip


def _trees(names: list[str]) -> st.SearchStrategy[Any]:
    leaf = st.tuples(st.sampled_from(names), TEXTS, st.just(()))
    return st.recursive(
        leaf,
        lambda children: st.tuples(st.sampled_from(names), st.just(""), st.lists(children, max_size=5)),
        max_leaves=40,
    )


def _build(node: Any, namespace: str | None) -> etree._Element:
    name, text, children = node
    built = etree.Element(f"{{{namespace}}}{name}" if namespace else name)
    built.text = text or None
    for child in children:
        built.append(_build(child, namespace))
    return built


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bytes]:
    purpose = draw(purposes)
    namespace = NAMESPACE if purpose == "FLEX" else None
    names = FLEXI_NAMES if purpose == "FLEX" else DIMONA_NAMES
    root = etree.Element(
        f"{{{namespace}}}FLXWAGE" if namespace else "Dimona", nsmap={None: namespace} if namespace else None
    )
    for form in draw(st.lists(_trees(names), max_size=4)):
        root.append(_build(form, namespace))
    encoding = draw(st.sampled_from(["UTF-8", "ISO-8859-1"]))
    try:
        return purpose, etree.tostring(root, xml_declaration=True, encoding=encoding)
    except UnicodeEncodeError:  # a character ISO-8859-1 cannot hold: lxml writes a reference
        return purpose, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(max_examples=150, deadline=None)
@given(document=documents(), batch_size=batch_sizes)
def test_random_well_formed_trees_are_read_or_refused_as_invalid_never_as_unreadable(
    document: tuple[str, bytes], batch_size: int
) -> None:
    purpose, data = document
    _, problems = _check(purpose, data, batch_size)
    assert "ACRF-102" not in {p.code for p in problems}, f"a well-formed document is readable: {problems}"
    assert "ACRF-901" not in {p.code for p in problems}, f"a small plain document is not unsafe: {problems}"


# through the whole channel ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_documents_through_the_channel_get_exactly_one_receipt(
    case: tuple[str, bytes, bytes],
) -> None:
    purpose, _, data = case
    with tempfile.TemporaryDirectory() as root:
        channel = Channel(Path(root))
        try:
            key = channel.submit(data, purpose=purpose)
            processor = channel.processor()
            processor.run_once()

            assert processor.failures == 0, "the file was answered, not left failing in its claim"
            receipt = channel.receipt(key, purpose=purpose)  # valid against ACRF.xsd
            answers = sorted(p.name for p in channel.all_answers())
            if receipt.accepted:
                decisions = channel.decisions(key, purpose=purpose)
                assert decisions, "an accepted file has a NOTI with its declarations"
                assert len(answers) == 5
            else:
                assert receipt.error_ids
                assert len(answers) == 2, answers
                assert channel.store.periods.count() == 0
            assert not [p for p in channel.inbox.rglob("*") if p.is_file()]
            assert not list((channel.work / "claims").iterdir())
        finally:
            channel.close()
