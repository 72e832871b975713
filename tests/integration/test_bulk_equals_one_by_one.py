"""Deciding a file in bulk gives exactly the answers of deciding its declarations one at a time.

The bulk path preloads, per batch, only the periods it believes a batch can touch, decides against that
in-memory book and writes the changes at the end of each batch. The reference below is as plain as it
gets: before every declaration it reads the whole state back from SQLite, decides, writes at once.
Both run against real SQLite files.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flexibatch.config import DEFAULT_JOINT_COMMITTEES
from flexibatch.domain.dimona import Action, DimonaDeclaration, EmployerId, PeriodBook, PeriodChange
from flexibatch.domain.dimona_rules import decide
from flexibatch.domain.ids import with_check
from flexibatch.domain.parties import DecisionContext
from flexibatch.formats.answers import impact_xml
from flexibatch.formats.refdata import read_refdata
from flexibatch.service.dimona_batch import DimonaBatch
from flexibatch.service.numbers import PERIOD_BASE
from flexibatch.store.sqlite import SqliteStore
from support.builders import (
    CBE_AURORA,
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    INSZ_A,
    INSZ_B,
    INSZ_NOT_ELIGIBLE,
    NOSS_BRASSERIE,
)
from support.channel import SAMPLES

REFDATA = read_refdata(SAMPLES / "refdata")
EMPLOYERS = [
    EmployerId(noss=NOSS_BRASSERIE),
    EmployerId(company_id=CBE_BRASSERIE),  # the same employer by its other number
    EmployerId(company_id=CBE_LEMAIRE),
    EmployerId(company_id=CBE_AURORA),  # no mandate for sender 123456
]
WORKERS = [INSZ_A, INSZ_B, INSZ_NOT_ELIGIBLE]
DAYS = [date(2026, 6, d) for d in (23, 24, 25, 26)] + [date(2026, 7, 1)]
HOURS = [None, time(0, 0), time(9, 0), time(12, 0), time(14, 0), time(20, 0), time(23, 30)]

hours = st.sampled_from(HOURS)
days = st.sampled_from(DAYS)
maybe_days = st.none() | days
#: The n-th period id a fresh store issues; a few beyond what a file can create are unknown ids.
period_ids = st.integers(min_value=1, max_value=8).map(lambda n: with_check(PERIOD_BASE + n))


@st.composite
def declarations(draw: st.DrawFn, index: int) -> DimonaDeclaration:
    action = draw(st.sampled_from(list(Action)))
    common = {"index": index, "line": index, "action": action}
    if action is Action.IN:
        return DimonaDeclaration(
            **common,
            employer=draw(st.sampled_from(EMPLOYERS)),
            insz=draw(st.sampled_from(WORKERS)),
            worker_type=draw(st.sampled_from(["FLX", "FLX", "FLX", "STU"])),
            joint_commission="302",
            start_date=draw(days),
            start_hour=draw(hours),
            end_date=draw(maybe_days),
            end_hour=draw(hours),
        )
    return DimonaDeclaration(
        **common,
        period_id=draw(period_ids),
        insz=draw(st.none() | st.sampled_from(WORKERS)),
        employer=draw(st.none() | st.sampled_from(EMPLOYERS)),
        start_date=draw(maybe_days) if action is Action.UPDATE else None,
        start_hour=draw(hours) if action is Action.UPDATE else None,
        end_date=draw(days if action is Action.OUT else maybe_days) if action is not Action.CANCEL else None,
        end_hour=draw(hours) if action is Action.UPDATE else None,
    )


@st.composite
def files(draw: st.DrawFn) -> list[DimonaDeclaration]:
    count = draw(st.integers(min_value=1, max_value=25))
    return [draw(declarations(i)) for i in range(1, count + 1)]


receptions = st.sampled_from(
    [datetime(2026, 6, 24, 11, 50), datetime(2026, 6, 25, 12, 0), datetime(2026, 6, 22, 8, 0)]
)


def _context(reception: datetime, env: str = "R") -> DecisionContext:
    return DecisionContext(env, "123456", "DIMN", reception, REFDATA, frozenset(DEFAULT_JOINT_COMMITTEES))


def _state(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM periods ORDER BY period_id").fetchall()


def _bulk(
    path: Path, decls: list[DimonaDeclaration], ctx: DecisionContext, batch_size: int
) -> list[tuple[object, ...]]:
    store = SqliteStore(str(path))
    batch = DimonaBatch(store, ctx, "BULKTICKET001")
    answers = []
    with store.transaction():
        for start in range(0, len(decls), batch_size):
            for entry in batch.decide(decls[start : start + batch_size]):
                answers.append(
                    (
                        entry.form_index,
                        tuple((a.code, a.value) for a in entry.anomalies),
                        entry.period_id if entry.accepted else None,
                        impact_xml(entry.impact) if entry.impact else None,
                    )
                )
    store.close()
    return answers


def _one_by_one(path: Path, decls: list[DimonaDeclaration], ctx: DecisionContext) -> list[tuple[object, ...]]:
    from flexibatch.formats.answers import dimona_impact

    store = SqliteStore(str(path))
    issued = 0

    def next_period_id() -> str:
        nonlocal issued
        issued += 1
        return with_check(PERIOD_BASE + issued)

    answers = []
    for decl in decls:
        everything = [row[0] for row in _state(path)]
        book = PeriodBook(store.periods.by_id(ctx.env, everything))
        decision = decide(decl, book, ctx, next_period_id)
        if decision.accepted and decision.after is not None:
            with store.transaction():
                store.periods.save_changes(
                    [PeriodChange(decision.after, decl.action.value, "0", "REFERENCE", ctx.sender)],
                    ctx.reception,
                )
        answers.append(
            (
                decl.index,
                tuple((a.code, a.value) for a in decision.anomalies),
                decision.period_id if decision.accepted else None,
                dimona_impact(decision.before, decision.after) if decision.accepted else None,
            )
        )
    store.close()
    return answers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decls=files(), reception=receptions, batch_size=st.sampled_from([1, 3, 7, 5000]))
def test_bulk_decisions_equal_one_by_one(
    tmp_path_factory: object, decls: list[DimonaDeclaration], reception: datetime, batch_size: int
) -> None:
    folder = tmp_path_factory.mktemp("property")  # type: ignore[attr-defined]
    ctx = _context(reception)
    bulk = _bulk(folder / "bulk.db", decls, ctx, batch_size)
    reference = _one_by_one(folder / "reference.db", decls, ctx)
    assert bulk == reference
    # the state itself, not only the answers: same periods, same versions, same schedules
    assert [row[:13] for row in _state(folder / "bulk.db")] == [
        row[:13] for row in _state(folder / "reference.db")
    ]
