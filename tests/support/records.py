"""Records for the pure rule tests (tests/unit/test_*_rules.py): declarations, reference data and a
decision context built in memory, with the readable defaults of the channel builders (builders.py,
flexi_builders.py), and the two desks that call the rules as the batches do, without files, SQLite
or the XSD.

Default Dimona IN: 25/06/2026 10:00-14:00, INSZ_A at the Brasserie du Parc by its RSZ number, joint
committee 302, received 24/06/2026 11:50 by sender 123456 in production. Default wage transfer: an
original for INSZ_A and UUID_1, a June 2026 calculation of one 500.00 EUR wage line, at the Brasserie
by its enterprise number.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from flexibatch.config import DEFAULT_CEILINGS, DEFAULT_JOINT_COMMITTEES
from flexibatch.domain.anomalies import Anomaly, AnomalyClass
from flexibatch.domain.dimona import Action, DimonaDeclaration, EmployerId, PeriodBook, hour_of
from flexibatch.domain.dimona_rules import DimonaDecision, decide
from flexibatch.domain.flexi import (
    WAGE,
    Beneficiary,
    Calculation,
    Features,
    FinancialElement,
    FlexiAction,
    FlexiDeclaration,
    Relation,
    SituationBook,
)
from flexibatch.domain.flexi_rules import FlexiDecision, RelationImpact, decide_flexi
from flexibatch.domain.ids import with_check
from flexibatch.domain.parties import DecisionContext
from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    CBE_PEETERS,
    INSZ_A,
    INSZ_NOT_ELIGIBLE,
    INSZ_PENSIONER,
    NOSS_AURORA,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    NOSS_LEMAIRE,
    SENDER,
)
from support.flexi_builders import UUID_1

#: The default reception time: the day before the default IN.
RECEIVED = datetime(2026, 6, 24, 11, 50)
AMOUNT = 50_000  # 500.00 EUR, in cents


def sample_refdata() -> RefData:
    """samples/refdata, written out (tests/unit/test_dimona_rules.py holds the two together)."""
    return RefData.build(
        senders={
            "123456": "Payroll Partners (social secretariat)",
            "654321": "Horeca Payroll Services",
            "222222": "Hotel Aurora (own payroll)",
        },
        employers=[
            EmployerRecord(NOSS_BRASSERIE, CBE_BRASSERIE, "Brasserie du Parc"),
            EmployerRecord(NOSS_AURORA, CBE_AURORA, "Hotel Aurora"),
            EmployerRecord(NOSS_LEMAIRE, CBE_LEMAIRE, "Traiteur Lemaire"),
            EmployerRecord(None, CBE_PEETERS, "Bakkerij Peeters (enterprise number only)"),
            EmployerRecord(NOSS_FONDS, None, "Fonds social Horeca (pays yearly premiums; RSZ number only)"),
        ],
        mandates=[
            Mandate("123456", NOSS_BRASSERIE, None, "*", date(2025, 1, 1), None),
            Mandate("123456", None, CBE_LEMAIRE, "DIMN", date(2026, 1, 1), None),
            Mandate("654321", NOSS_AURORA, None, "DIMN", date(2026, 1, 1), None),
            Mandate("654321", None, CBE_PEETERS, "*", date(2026, 1, 1), date(2026, 12, 31)),
            Mandate("222222", None, CBE_AURORA, "*", date(2025, 1, 1), None),
            Mandate("123456", NOSS_FONDS, None, "FLEX", date(2025, 1, 1), None),
        ],
        workers={
            (INSZ_PENSIONER, "2026Q2"): WorkerStatus.PENSIONER,
            (INSZ_PENSIONER, "2026Q3"): WorkerStatus.PENSIONER,
            (INSZ_NOT_ELIGIBLE, "2026Q2"): WorkerStatus.NOT_ELIGIBLE,
        },
    )


REFDATA = sample_refdata()


def context(
    *,
    now: datetime = RECEIVED,
    sender: str = SENDER,
    env: str = "R",
    purpose: str = "DIMN",
    refdata: RefData = REFDATA,
    joint_committees: Iterable[str] = DEFAULT_JOINT_COMMITTEES,
) -> DecisionContext:
    return DecisionContext(env, sender, purpose, now, refdata, frozenset(joint_committees))


# -- Dimona ------------------------------------------------------------------------------------------------


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _hour(text: str | None) -> time | None:
    return None if text is None else hour_of(text)


def _employer(noss: str | None, company_id: str | None) -> EmployerId | None:
    return None if noss is None and company_id is None else EmployerId(noss=noss, company_id=company_id)


def dimona_in(
    start: str = "2026-06-25",
    start_hour: str | None = "1000",
    end_hour: str | None = "1400",
    end_date: str | None = None,
    *,
    insz: str | None = INSZ_A,
    person: Mapping[str, str] | None = None,
    noss: str | None = NOSS_BRASSERIE,
    company_id: str | None = None,
    worker_type: str | None = "FLX",
    joint_commission: str | None = "302",
    planned: tuple[str, str] | None = None,
) -> DimonaDeclaration:
    """A DimonaIn (a one-day 10:00-14:00 flexi-job on 25/06/2026 by default); hours as HHMM."""
    return DimonaDeclaration(
        1,
        1,
        Action.IN,
        employer=_employer(noss, company_id),
        insz=insz,
        person=person,
        worker_type=worker_type,
        joint_commission=joint_commission,
        start_date=_day(start),
        start_hour=_hour(start_hour),
        end_date=_day(end_date),
        end_hour=_hour(end_hour),
        planned=planned,
    )


def dimona_night(
    start: str = "2026-06-25", end_date: str | None = "2026-06-26", **fields: object
) -> DimonaDeclaration:
    """22:00 on `start` to 02:00 on `end_date`."""
    return dimona_in(start, "2200", "0200", end_date, **fields)  # type: ignore[arg-type]


def dimona_day(start: str = "2026-06-25", end_date: str | None = None, **fields: object) -> DimonaDeclaration:
    """Without hours: from `start`, open until an OUT when `end_date` is None."""
    return dimona_in(start, None, None, end_date, **fields)  # type: ignore[arg-type]


def dimona_change(
    action: Action,
    period_id: str,
    *,
    start: str | None = None,
    start_hour: str | None = None,
    end: str | None = None,
    end_hour: str | None = None,
    insz: str | None = None,
    noss: str | None = None,
    company_id: str | None = None,
    planned: tuple[str, str] | None = None,
) -> DimonaDeclaration:
    """An UPDATE, CANCEL or OUT of `period_id`; only the fields given are declared."""
    return DimonaDeclaration(
        1,
        1,
        action,
        employer=_employer(noss, company_id),
        insz=insz,
        start_date=_day(start),
        start_hour=_hour(start_hour),
        end_date=_day(end),
        end_hour=_hour(end_hour),
        planned=planned,
        period_id=period_id,
    )


def dimona_update(period_id: str, **fields: object) -> DimonaDeclaration:
    return dimona_change(Action.UPDATE, period_id, **fields)  # type: ignore[arg-type]


def dimona_cancel(period_id: str, **fields: object) -> DimonaDeclaration:
    return dimona_change(Action.CANCEL, period_id, **fields)  # type: ignore[arg-type]


def dimona_out(period_id: str, end: str, **fields: object) -> DimonaDeclaration:
    return dimona_change(Action.OUT, period_id, end=end, **fields)  # type: ignore[arg-type]


@dataclass
class DimonaDesk:
    """What DimonaBatch gives `decide`: one PeriodBook for every declaration, period ids in order."""

    book: PeriodBook = field(default_factory=PeriodBook)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(2_000_000_001))

    def issue(self) -> str:
        return with_check(next(self._ids))

    def send(self, decl: DimonaDeclaration, **ctx: object) -> DimonaDecision:
        """Decide one declaration (context fields as `context`'s keywords)."""
        return decide(decl, self.book, context(**ctx), self.issue)  # type: ignore[arg-type]

    def declare(self, decl: DimonaDeclaration, **ctx: object) -> str:
        """Send a declaration that must be accepted; its period id."""
        decision = self.send(decl, **ctx)
        assert decision.accepted, decision.anomalies
        assert decision.period_id is not None
        return decision.period_id


# -- Flexi at work -----------------------------------------------------------------------------------------


def element(code: str = WAGE, amount: int = AMOUNT, frequency: int | None = None) -> FinancialElement:
    return FinancialElement("", "1", code, amount, frequency)


def features(
    start: str, end: str, *elements: FinancialElement, worker_code: str = "050", employer_class: str = "000"
) -> Features:
    return Features(
        "", date.fromisoformat(start), date.fromisoformat(end), employer_class, worker_code, elements
    )


def calculation(start: str, end: str, *parts: Features, calculated: str | None = None) -> Calculation:
    return Calculation(
        "", date.fromisoformat(start), date.fromisoformat(end), date.fromisoformat(calculated or end), parts
    )


def month(
    start: str, end: str, amount: int = AMOUNT, *, worker_code: str = "050", calculated: str | None = None
) -> Calculation:
    """One flexi wage line over the whole calculation period."""
    return calculation(
        start,
        end,
        features(start, end, element(WAGE, amount), worker_code=worker_code),
        calculated=calculated,
    )


def june(amount: int = AMOUNT, **fields: object) -> Calculation:
    return month("2026-06-01", "2026-06-30", amount, **fields)  # type: ignore[arg-type]


def june_with(*elements: FinancialElement, worker_code: str = "050") -> Calculation:
    """A June 2026 calculation whose one Features holds exactly these elements."""
    return calculation(
        "2026-06-01", "2026-06-30", features("2026-06-01", "2026-06-30", *elements, worker_code=worker_code)
    )


def relation(relation_id: str | None, *calculations: Calculation, also: str | None = None) -> Relation:
    ids = tuple(i for i in (relation_id, also) if i is not None)
    return Relation("", ids, None, calculations)


def beneficiary(insz: str, *relations: Relation) -> Beneficiary:
    return Beneficiary("", insz, relations)


def _placed(beneficiaries: tuple[Beneficiary, ...]) -> tuple[Beneficiary, ...]:
    """The logical paths the readers give (`Debtor/Beneficiary[1]/Relation[1]/...`)."""
    placed = []
    for b, ben in enumerate(beneficiaries, start=1):
        b_path = f"Debtor/Beneficiary[{b}]"
        relations = []
        for r, rel in enumerate(ben.relations, start=1):
            r_path = f"{b_path}/Relation[{r}]"
            calcs = []
            for c, calc in enumerate(rel.calculations, start=1):
                c_path = f"{r_path}/Calculation[{c}]"
                parts = []
                for f, feat in enumerate(calc.features, start=1):
                    f_path = f"{c_path}/Features[{f}]"
                    elements = tuple(
                        FinancialElement(
                            f"{f_path}/FinancialElement[{e}]", el.type, el.code, el.amount, el.frequency
                        )
                        for e, el in enumerate(feat.elements, start=1)
                    )
                    parts.append(
                        Features(
                            f_path,
                            feat.validity_start,
                            feat.validity_end,
                            feat.employer_class,
                            feat.worker_code,
                            elements,
                        )
                    )
                calcs.append(replace(calc, path=c_path, features=tuple(parts)))
            relations.append(replace(rel, path=r_path, calculations=tuple(calcs)))
        placed.append(Beneficiary(b_path, ben.insz, tuple(relations)))
    return tuple(placed)


def wage_form(
    *beneficiaries: Beneficiary,
    action: FlexiAction = FlexiAction.ORIGINAL,
    company_id: str | None = CBE_BRASSERIE,
    noss: str | None = None,
) -> FlexiDeclaration:
    return FlexiDeclaration(1, 1, action, None, (), company_id, noss, _placed(beneficiaries))


def wage(
    *calculations: Calculation,
    relation_id: str | None = UUID_1,
    insz: str = INSZ_A,
    action: FlexiAction = FlexiAction.ORIGINAL,
    company_id: str | None = CBE_BRASSERIE,
    noss: str | None = None,
) -> FlexiDeclaration:
    """One worker, one relation (a June 2026 wage of 500.00 EUR unless a cancellation)."""
    if not calculations and action is not FlexiAction.CANCELLATION:
        calculations = (june(),)
    return wage_form(
        beneficiary(insz, relation(relation_id, *calculations)),
        action=action,
        company_id=company_id,
        noss=noss,
    )


def modification(*calculations: Calculation, **fields: object) -> FlexiDeclaration:
    return wage(*calculations, action=FlexiAction.MODIFICATION, **fields)  # type: ignore[arg-type]


def cancellation(**fields: object) -> FlexiDeclaration:
    return wage(action=FlexiAction.CANCELLATION, **fields)  # type: ignore[arg-type]


@dataclass
class FlexiDesk:
    """What FlexiBatch gives `decide_flexi`: one SituationBook, the Dimona periods of a DimonaDesk
    (so a Dimona declared on `dimona` covers a wage sent here) and the ceilings."""

    dimona: DimonaDesk = field(default_factory=DimonaDesk)
    book: SituationBook = field(default_factory=SituationBook)
    ceilings: Mapping[int, int] = field(default_factory=lambda: dict(DEFAULT_CEILINGS))

    def send(self, decl: FlexiDeclaration, **ctx: object) -> FlexiDecision:
        ctx.setdefault("purpose", "FLEX")
        return decide_flexi(decl, self.book, self.dimona.book, context(**ctx), self.ceilings)  # type: ignore[arg-type]

    def accept(self, decl: FlexiDeclaration, *warnings: str, **ctx: object) -> RelationImpact:
        """Send a declaration of one relation that must be accepted with exactly these warnings."""
        decision = self.send(decl, **ctx)
        assert_flexi_accepted(decision, *warnings)
        (impact,) = decision.impacts
        return impact


# -- what a decision says ----------------------------------------------------------------------------------

Decision = DimonaDecision | FlexiDecision
NO_DIMONA = "00024-152"


def codes(decision: Decision) -> list[str]:
    return [a.code for a in decision.anomalies]


def found(decision: Decision, code: str) -> Anomaly:
    """The one anomaly of `code`."""
    (only,) = [a for a in decision.anomalies if a.code == code]
    return only


def assert_refused(
    decision: Decision, code: str, path: str | None = None, value: str | None = None
) -> Anomaly:
    """Refused with `code` as class B (at `path`, with `value` when given), and no effect."""
    assert not decision.accepted, decision.anomalies
    matching = [a for a in decision.anomalies if a.code == code]
    assert matching, f"expected {code}, got {codes(decision)}"
    anomaly = matching[0]
    assert anomaly.cls is AnomalyClass.BLOCKING
    if path is not None:
        assert anomaly.field == path, anomaly
    if value is not None:
        assert anomaly.value == value, anomaly
    if isinstance(decision, DimonaDecision):
        assert decision.after is None
    else:
        assert decision.impacts == () and decision.changes == ()
    return anomaly


def assert_accepted(decision: DimonaDecision, *warnings: str) -> None:
    """Accepted with exactly these NP anomalies."""
    assert decision.accepted, decision.anomalies
    assert codes(decision) == list(warnings), decision.anomalies
    assert all(a.cls is AnomalyClass.NON_BLOCKING for a in decision.anomalies)
    assert decision.after is not None


def assert_flexi_accepted(
    decision: FlexiDecision, *warnings: str, ignoring: tuple[str, ...] = (NO_DIMONA,)
) -> None:
    """Accepted with exactly these NP anomalies, besides those `ignoring` names (by default the
    missing Dimona: most wage tests declare none)."""
    assert decision.accepted, decision.anomalies
    assert [c for c in codes(decision) if c not in ignoring or c in warnings] == list(warnings), (
        decision.anomalies
    )
    assert all(a.cls is AnomalyClass.NON_BLOCKING for a in decision.anomalies)
    assert decision.impacts
