"""The report's reads on every backend: a period's submissions, their tallies, totals above a ceiling."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from test_contract_periods_and_situations import STAMP, WORKER_A, WORKER_B, situation
from test_contract_submission_log import RECEIVED, submission

from flexibatch.domain.flexi import SituationChange
from flexibatch.store import Store
from flexibatch.store.base import EmployerTally, ErrorTally, YearTotal
from support.backends import Backend

#: Received on the last of May at 23:59:59.999, on 1 June at midnight and on 30 June just before midnight.
EDGES = {
    "MAY": datetime(2026, 5, 31, 23, 59, 59, 999000),
    "JUN1": datetime(2026, 6, 1, 0, 0),
    "JUN30": datetime(2026, 6, 30, 23, 59, 59, 999000),
    "JUL": datetime(2026, 7, 1, 0, 0),
}


def test_the_submissions_of_a_period_include_both_of_its_days_whole(store: Store) -> None:
    with store.transaction():
        for n, (ticket, received) in enumerate(EDGES.items()):
            store.submissions.record(submission(ticket, sequence=f"0000{n + 1}", received=received))
    june = store.submissions.received(date(2026, 6, 1), date(2026, 6, 30))
    assert [r.ticket for r in june] == ["JUN1", "JUN30"]
    assert [r.ticket for r in store.submissions.received(date(2026, 5, 31), date(2026, 5, 31))] == ["MAY"]


def test_tallies_read_back_for_the_submissions_received_in_the_period(backend: Backend) -> None:
    store = backend.open()
    with store.transaction():
        store.submissions.record(submission("IN", received=RECEIVED))
        store.submissions.record(submission("OUT", sequence="00002", received=RECEIVED.replace(month=7)))
        store.tallies.record(
            [ErrorTally("IN", "90373-460", "NP", 2), ErrorTally("IN", "00024-004", "B", 1)],
            [EmployerTally("IN", "175110801", 2, 1, 1), EmployerTally("IN", "", 0, 0, 3)],
        )
        store.tallies.record([ErrorTally("OUT", "00024-004", "B", 9)], [EmployerTally("OUT", "x", 9, 0, 0)])
    reader = backend.open("read")  # what `flexibatch report` opens
    june = (date(2026, 6, 1), date(2026, 6, 30))
    assert sorted(reader.tallies.errors(*june), key=lambda t: t.error_id) == [
        ErrorTally("IN", "00024-004", "B", 1),
        ErrorTally("IN", "90373-460", "NP", 2),
    ]
    assert sorted(reader.tallies.employers(*june), key=lambda t: t.employer) == [
        EmployerTally("IN", "", 0, 0, 3),
        EmployerTally("IN", "175110801", 2, 1, 1),
    ]


def test_the_totals_above_an_amount_are_those_of_that_year_in_every_environment(store: Store) -> None:
    low, high = situation("rel-1"), situation("rel-2", insz=WORKER_B)
    with store.transaction():
        store.situations.save_changes(
            "R",
            [SituationChange(low, "0", "D1", "TICKET", "123456"), SituationChange(high, "0", "D2", "T", "1")],
            {(WORKER_A, 2026): 1_800_000, (WORKER_B, 2026): 1_800_001, (WORKER_B, 2025): 9_000_000},
            STAMP,
        )
        store.situations.save_changes(
            "T",
            [SituationChange(replace(low, env="T"), "0", "D3", "TICKET", "123456")],
            {(WORKER_A, 2026): 2_000_000},
            STAMP,
        )
    assert store.situations.totals_above(2026, 1_800_000) == [
        YearTotal("R", WORKER_B, 2026, 1_800_001),
        YearTotal("T", WORKER_A, 2026, 2_000_000),
    ]
