"""Several workers on one PostgreSQL state decide as if one after another.

Senders share workers: Dimona INs of one (employer, worker) that overlap, and Flexi at work wages
near the yearly ceiling, so every decision depends on what was decided before. The submissions are
decided by worker threads at once (each its own session and Processor over one inbox), then the same
files are decided one by one on SQLite in the order PostgreSQL committed them (the order of the
submission records, each inserted after its locks were granted): every answer, every NOTI decision,
every yearly total and the state must be the same. A sender's submissions commit in the sender's
order (its turn, docs/decisions.md "Order").

Without the worker locks (`worker_locks=False`, for this test only) two submissions that read a
worker at the same time both decide on what they read: `test_without_the_worker_locks...` forces
that moment and shows the result is no longer any one-after-another order.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flexibatch.domain.flexi import TotalKey
from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData
from flexibatch.store.ports import Situations
from flexibatch.store.postgresql import PostgresStore
from support.builders import CBE_BRASSERIE, NOSS_BRASSERIE, dimona, dimona_in
from support.channel import Channel
from support.cli import workers
from support.flexi_builders import beneficiary, flxwage, month, relation, wage_form
from support.hostile import decisions_of, state_facts
from support.postgres import Server
from support.state import state_rows

DAY = "20260624"
#: The GO markers left in the sender folders. Never `rglob`: it descends into the claims' spots
#: (`.flexibatch-<ticket>/`) that other workers remove meanwhile, and Python 3.11 then raises
#: FileNotFoundError from the test's own loop.
SENDERS_GO = "[0-9][0-9][0-9][0-9][0-9][0-9]/GO.*"


def _refdata(senders: Iterable[str]) -> RefData:
    """Every sender may declare Dimona and wages for the Brasserie."""
    senders = list(senders)
    return RefData.build(
        senders={sender: f"Secretariat {sender}" for sender in senders},
        employers=[EmployerRecord(NOSS_BRASSERIE, CBE_BRASSERIE, "Brasserie du Parc")],
        mandates=[Mandate(s, NOSS_BRASSERIE, None, "*", date(2025, 1, 1), None) for s in senders],
        workers={},
    )


@dataclass(frozen=True)
class Form:
    kind: str  # "dimona" or "flexi"
    worker: int  # which of the shared workers
    day: int  # Dimona: the day of June; FLEX: unused
    amount: int  # FLEX: cents; near half the ceiling, so the second crosses it


@dataclass(frozen=True)
class Submission:
    sender: str
    sequence: int
    purpose: str
    forms: tuple[Form, ...]

    @property
    def key(self) -> str:
        return f"{self.sender}.{DAY}.{self.sequence:05d}.R"

    def files(self, people: list[str]) -> dict[str, bytes]:
        if self.purpose == "DIMN":
            content = dimona(
                *(
                    dimona_in(
                        start=f"2026-06-{f.day:02d}",
                        insz=people[f.worker],
                        reference=f"{self.sender}{self.sequence}-{i}",
                    )
                    for i, f in enumerate(self.forms)
                )
            )
        else:
            content = flxwage(
                *(
                    wage_form(
                        beneficiary(
                            people[f.worker],
                            relation(
                                str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.key}-{i}")),
                                month("2026-05-01", "2026-05-31", f.amount, calculated="2026-06-01"),
                            ),
                        ),
                        reference=f"{self.sender}{self.sequence}-{i}",
                    )
                    for i, f in enumerate(self.forms)
                )
            )
        return {
            f"FI.{self.purpose}.{self.key}.1.1.xml": content,
            f"GO.{self.purpose}.{self.key}.1": b"",
        }


def _drop(channel: Channel, submission: Submission, people: list[str]) -> None:
    for name, content in submission.files(people).items():
        channel.drop(name, content, submission.sender)


def _forms(purpose: str, shared: int) -> st.SearchStrategy[tuple[Form, ...]]:
    worker = st.integers(0, shared - 1)
    if purpose == "DIMN":
        form = st.builds(Form, st.just("dimona"), worker, st.integers(25, 26), st.just(0))
    else:
        form = st.builds(
            Form, st.just("flexi"), worker, st.just(0), st.sampled_from([700_000, 900_000, 1_000_000])
        )
    return st.lists(form, min_size=1, max_size=3).map(tuple)


@st.composite
def streams(draw: st.DrawFn) -> tuple[int, list[Submission]]:
    """2-8 senders, 1-20 workers they share, each sender 1-3 submissions of Dimona or FLEX."""
    senders = [f"5000{n:02d}" for n in range(draw(st.integers(2, 8)))]
    shared = draw(st.integers(1, 20))
    stream = []
    for sender in senders:
        for sequence in range(1, draw(st.integers(1, 3)) + 1):
            purpose = draw(st.sampled_from(["DIMN", "FLEX"]))
            stream.append(Submission(sender, sequence, purpose, draw(_forms(purpose, shared))))
    return shared, stream


def _installation(root: Path, url: str | None, senders: Iterable[str]) -> Channel:
    channel = Channel(root, url=url)
    channel.store.refdata.replace(_refdata(senders), "test", datetime(2026, 1, 1))
    return channel


def _decide_concurrently(
    channel: Channel,
    url: str,
    threads: int,
    *,
    worker_locks: bool = True,
    wrap: Callable[[PostgresStore], None] = lambda store: None,
) -> None:
    """`threads` workers, each its own session, until every submission is answered."""
    failures: list[BaseException] = []

    def work() -> None:
        store = PostgresStore(url, "write", busy_timeout=30.0, worker_locks=worker_locks)
        wrap(store)
        try:
            processor = channel.processor(store=store)
            while any(channel.inbox.glob(SENDERS_GO)) or any((channel.work / "claims").glob("[!.]*")):
                processor.run_once()
        except BaseException as exc:
            failures.append(exc)
        finally:
            store.close()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    assert not failures, failures


def _commit_order(url: str) -> list[tuple[str, str]]:
    return [
        (str(f), str(n))
        for f, n in state_rows(url, "SELECT folder, file_name FROM submissions ORDER BY recorded")
    ]


def _one_by_one(
    root: Path, stream: list[Submission], order: list[tuple[str, str]], people: list[str]
) -> Channel:
    sequential = _installation(root, None, {s.sender for s in stream})
    by_name = {(s.sender, f"FI.{s.purpose}.{s.key}.1.1.xml"): s for s in stream}
    for folder, name in order:
        _drop(sequential, by_name[folder, name], people)
        sequential.run()
    return sequential


def _receipts(outbox: Path) -> list[tuple[bool, list[str]]]:
    return [v for k, v in decisions_of(outbox).items() if "ACRF" in k]  # type: ignore[misc]


def _totals(state: Path | str) -> list[tuple[object, ...]]:
    return sorted(state_rows(state, "SELECT env, insz, year, amount FROM flexi_totals"))


def _equal_to_one_after_another(
    tmp: Path, server: Server, shared: int, stream: list[Submission], threads: int, **concurrency: object
) -> tuple[bool, str]:
    people = workers(shared)
    url = server.fresh_database()
    # The installations' stores closed however the example ends: a failing one (Hypothesis runs
    # several while shrinking) left open would warn, and fail, in whichever test the collector met it.
    with ExitStack() as closing:
        closing.callback(server.drop_database, url)
        concurrent = _installation(tmp / "pg", url, {s.sender for s in stream})
        closing.callback(concurrent.close)
        for submission in stream:
            _drop(concurrent, submission, people)
        _decide_concurrently(concurrent, url, threads, **concurrency)  # type: ignore[arg-type]
        order = _commit_order(url)
        assert len(order) == len(stream), "every submission answered once"
        for sender in {s.sender for s in stream}:
            mine = [name for folder, name in order if folder == sender]
            assert mine == sorted(mine, key=lambda n: n.split(".")[4]), "a sender's order is kept"
        sequential = _one_by_one(tmp / "sqlite", stream, order, people)
        closing.callback(sequential.close)
        same = (
            decisions_of(concurrent.outbox) == decisions_of(sequential.outbox)
            and _totals(url) == _totals(sequential.state)
            and state_facts(url) == state_facts(sequential.state)
        )
        assert any(accepted for accepted, _ in _receipts(concurrent.outbox)), "something was decided"
        return same, f"{decisions_of(concurrent.outbox)} != {decisions_of(sequential.outbox)}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=streams(), threads=st.integers(2, 4))
def test_workers_deciding_at_once_equal_one_after_another_in_commit_order(
    tmp_path_factory: pytest.TempPathFactory,
    postgresql_server: Server,
    case: tuple[int, list[Submission]],
    threads: int,
) -> None:
    shared, stream = case
    same, difference = _equal_to_one_after_another(
        tmp_path_factory.mktemp("workers"), postgresql_server, shared, stream, threads
    )
    assert same, difference


class _Rendezvous:
    """The situations of a worker that, once it has read the yearly totals, waits until every worker
    has read them too, or until the others wait for a lock (then reading is not at the same time)."""

    def __init__(self, inner: Situations, url: str, arrived: list[int], parties: int) -> None:
        self._inner = inner
        self._url = url
        self._arrived = arrived
        self._parties = parties

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def totals(self, env: str, keys: Iterable[TotalKey]) -> dict[TotalKey, int]:
        found = self._inner.totals(env, keys)
        self._arrived.append(1)
        deadline = time.monotonic() + 60
        with psycopg.connect(self._url, autocommit=True) as watcher:
            while len(self._arrived) < self._parties and time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                ).fetchone()
                if waiting and int(str(waiting[0])) >= self._parties - len(self._arrived):
                    break
        return found


@pytest.mark.parametrize("worker_locks", [True, False], ids=["locks", "no-locks"])
def test_without_the_worker_locks_two_wages_read_at_once_are_no_order_at_all(
    tmp_path: Path, postgresql_server: Server, worker_locks: bool
) -> None:
    """Two senders' wages for one worker, 10 000 EUR each, read the totals at the same moment."""
    stream = [
        Submission("500000", 1, "FLEX", (Form("flexi", 0, 0, 1_000_000),)),
        Submission("500001", 1, "FLEX", (Form("flexi", 0, 0, 1_000_000),)),
    ]
    arrived: list[int] = []

    def wrap(store: PostgresStore) -> None:
        store.situations = _Rendezvous(store.situations, store._url, arrived, 2)  # type: ignore[assignment]

    same, _ = _equal_to_one_after_another(
        tmp_path, postgresql_server, 1, stream, 2, worker_locks=worker_locks, wrap=wrap
    )
    assert same is worker_locks, "the locks are what makes it one after another"
