"""Each worker's yearly flexi income equals the sum recomputed from scratch, whatever the history.

Random originals, modifications and cancellations, by several senders for several employers (one of
them named by either of its numbers), decided in random batches against a real SQLite store. The model
below knows nothing of the code: it replays what the NOTIs accepted and sums the amounts.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from flexibatch.config import DEFAULT_CEILINGS, DEFAULT_JOINT_COMMITTEES
from flexibatch.domain.flexi import (
    WAGE,
    Beneficiary,
    Calculation,
    Features,
    FinancialElement,
    FlexiAction,
    FlexiDeclaration,
    Relation,
)
from flexibatch.domain.parties import DecisionContext
from flexibatch.formats.answers import impact_xml
from flexibatch.formats.refdata import read_refdata
from flexibatch.service.flexi_batch import FlexiBatch
from flexibatch.store.sqlite import SqliteStore
from support.builders import CBE_BRASSERIE, INSZ_A, INSZ_B, INSZ_C, NOSS_BRASSERIE
from support.channel import SAMPLES
from support.flexi_builders import UUID_1, UUID_2, UUID_3

REFDATA = read_refdata(SAMPLES / "refdata")
RECEPTION = datetime(2026, 6, 24, 11, 50)
#: (label, sender, noss, company_id): the label is who the employer is, whatever number is used.
DEBTORS = [
    ("brasserie", "123456", NOSS_BRASSERIE, None),
    ("brasserie", "123456", None, CBE_BRASSERIE),
    ("fund", "123456", "175111092", None),
    ("aurora", "222222", None, "0477472701"),
    ("peeters", "654321", None, "0876543270"),
]
MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 5, 1)]


@st.composite
def declarations(draw: st.DrawFn) -> tuple[str, str, FlexiDeclaration]:
    label, sender, noss, company_id = draw(st.sampled_from(DEBTORS))
    action = draw(st.sampled_from(list(FlexiAction)))
    insz = draw(st.sampled_from([INSZ_A, INSZ_B, INSZ_C]))
    uuid = draw(st.sampled_from([UUID_1, UUID_2, UUID_3.lower(), UUID_3]))
    calculations = []
    if action is not FlexiAction.CANCELLATION:
        for number, start in enumerate(
            draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=2, unique=True))
        ):
            end = date(start.year, start.month, 28)
            amount = draw(st.integers(min_value=1, max_value=900_000))
            path = f"Debtor/Beneficiary[1]/Relation[1]/Calculation[{number + 1}]"
            element = FinancialElement(f"{path}/Features[1]/FinancialElement[1]", "1", WAGE, amount, None)
            features = Features(f"{path}/Features[1]", start, end, "000", "050", (element,))
            calculations.append(Calculation(path, start, end, date(2026, 6, 22), (features,)))
    relation = Relation("Debtor/Beneficiary[1]/Relation[1]", (uuid,), None, tuple(calculations))
    decl = FlexiDeclaration(
        index=0,
        line=1,
        action=action,
        header=None,
        references=(),
        company_id=company_id,
        noss=noss,
        beneficiaries=(Beneficiary("Debtor/Beneficiary[1]", insz, (relation,)),),
    )
    return label, sender, decl


def _announced(impact: str) -> list[tuple[int, int]]:
    root = etree.fromstring(f"<r>{impact}</r>")
    return [(int(y.findtext("Year")), int(y.findtext("Amount"))) for y in root.iter("YearTotal")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(declarations(), min_size=1, max_size=30), cut=st.integers(min_value=1, max_value=6))
def test_year_totals_equal_the_sum_recomputed_from_scratch(
    tmp_path_factory: object, history: list[tuple[str, str, FlexiDeclaration]], cut: int
) -> None:
    path: Path = tmp_path_factory.mktemp("counter") / "state.db"  # type: ignore[attr-defined]
    store = SqliteStore(str(path))
    model: dict[tuple[str, str, str], dict[int, int]] = {}  # active situations only

    def model_total(insz: str, year: int) -> int:
        return sum(amounts.get(year, 0) for (_, who, _), amounts in model.items() if who == insz)

    # consecutive declarations of one sender form a submission, cut into batches of `cut`
    for start in range(0, len(history), cut):
        chunk = history[start : start + cut]
        for sender in dict.fromkeys(s for _, s, _ in chunk):
            ctx = DecisionContext(
                "R", sender, "FLEX", RECEPTION, REFDATA, frozenset(DEFAULT_JOINT_COMMITTEES)
            )
            batch = FlexiBatch(store, ctx, f"T{start:012d}", DEFAULT_CEILINGS)
            mine = [(label, decl) for label, s, decl in chunk if s == sender]
            with store.transaction():
                entries = batch.decide([decl for _, decl in mine])
            for (label, decl), entry in zip(mine, entries, strict=True):
                if not entry.accepted:
                    continue
                beneficiary = decl.beneficiaries[0]
                relation = beneficiary.relations[0]
                key = (label, beneficiary.insz, relation.relation_ids[0].lower())
                if decl.action is FlexiAction.CANCELLATION:
                    model.pop(key)
                else:
                    amounts: dict[int, int] = {}
                    for calc in relation.calculations:
                        amounts[calc.start.year] = amounts.get(calc.start.year, 0) + calc.amount
                    model[key] = amounts
                assert entry.impact is not None
                for year, amount in _announced(impact_xml(entry.impact)):
                    assert amount == model_total(beneficiary.insz, year), "the NOTI announces the true total"

    stored = {
        (insz, year): amount
        for insz, year, amount in store._db.execute("SELECT insz, year, amount FROM flexi_totals")
    }
    workers = {insz for _, insz, _ in model} | {insz for insz, _ in stored}
    for insz in workers:
        for year in (2025, 2026):
            assert stored.get((insz, year), 0) == model_total(insz, year)
    store.close()
