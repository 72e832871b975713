"""The reference data's and the counters' contract, on every backend."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.store import Store

PERIOD_COUNTER = "dimona_period"
TICKET_COUNTER = "declaration_ticket"


LOADED = datetime(2026, 6, 1, 8, 0)


def refdata(sender: str = "123456") -> RefData:
    return RefData.build(
        senders={sender: "Secretariat"},
        employers=[
            EmployerRecord("175110801", "0123456749", "Brasserie"),
            EmployerRecord(None, "0999", "Bar"),
        ],
        mandates=[
            Mandate(sender, "175110801", None, "DIMN", date(2026, 1, 1), None),
            Mandate(sender, None, "0999", "FLEX", date(2026, 1, 1), date(2026, 12, 31)),
        ],
        workers={
            ("85073003328", "2026Q2"): WorkerStatus.ELIGIBLE,
            ("85073003328", "2026Q3"): WorkerStatus.PENSIONER,
        },
    )


def _facts(data: RefData) -> tuple[object, ...]:
    return (data.senders, sorted(map(repr, data.employers)), sorted(map(repr, data.mandates)), data.workers)


def test_reference_data_is_replaced_whole_and_versioned(store: Store) -> None:
    assert store.refdata.version() == 0
    assert _facts(store.refdata.current()) == _facts(RefData.build({}, [], [], {}))
    store.refdata.replace(refdata(), "/ref/june", LOADED)
    first = store.refdata.version()
    assert first > 0
    assert _facts(store.refdata.current()) == _facts(refdata())
    store.refdata.replace(refdata(sender="654321"), "/ref/july", LOADED)
    assert store.refdata.version() > first
    assert _facts(store.refdata.current()) == _facts(refdata(sender="654321")), "nothing of June is left"


def test_a_reference_data_load_inside_a_transaction_rolls_back_with_it(store: Store) -> None:
    store.refdata.replace(refdata(), "/ref/june", LOADED)
    version = store.refdata.version()
    with pytest.raises(RuntimeError), store.transaction():
        store.refdata.replace(refdata(sender="654321"), "/ref/july", LOADED)
        raise RuntimeError
    assert store.refdata.version() == version
    assert _facts(store.refdata.current()) == _facts(refdata())


def test_counters_issue_consecutive_values_and_a_read_reserves_nothing(store: Store) -> None:
    assert store.counters.next_value(PERIOD_COUNTER) == 1
    assert store.counters.next_value(PERIOD_COUNTER) == 1, "reading twice reserved nothing"
    with store.transaction():
        assert store.counters.reserve(PERIOD_COUNTER, 3) == 1
        assert store.counters.reserve(PERIOD_COUNTER, 2) == 4
    assert store.counters.reserve(PERIOD_COUNTER, 1) == 6, "outside a transaction, by itself"
    assert store.counters.next_value(PERIOD_COUNTER) == 7
    assert store.counters.next_value(TICKET_COUNTER) == 1, "each counter counts for itself"


def test_values_a_batch_did_not_issue_are_given_back_unless_reserved_after(store: Store) -> None:
    with store.transaction():
        first = store.counters.reserve(PERIOD_COUNTER, 16)
        store.counters.release(PERIOD_COUNTER, first + 3, 13)
    assert store.counters.next_value(PERIOD_COUNTER) == first + 3, "the 13 unissued values come back"
    held = store.counters.reserve(PERIOD_COUNTER, 10)
    assert store.counters.reserve(PERIOD_COUNTER, 1) == held + 10, "another reservation came after"
    store.counters.release(PERIOD_COUNTER, held + 4, 6)
    assert store.counters.next_value(PERIOD_COUNTER) == held + 11, "never given back under a later one"
