"""The state's seam: a unit of work (`Store`) over small repositories, whatever the database.

SQLite implements it (`store/sqlite/`); a PostgreSQL backend implements the same Protocols and
passes the same contract tests (tests/integration/contract/). The rules never see a repository:
they see `Period` and `Situation` values, a `RefData` snapshot and the numbers they are given.

Locking, for every backend. A submission is decided by one writer in one `Store.transaction()`:
its checks (name, content), its lookups, its changes, its numbers, its submission and answer
records commit together or not at all, and the result equals deciding the submissions one after
another in commit order. SQLite gets that by one writer for the whole file; a backend with
concurrent writers must serialise the transactions whose keys meet (each repository says which
keys). Outside a transaction a reader sees the last commit, never part of one, and never waits
for a writer; inside, a transaction sees its own writes. A repository's write outside a
transaction commits by itself; inside one it joins it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from flexibatch.domain.dimona import Period, PeriodChange
from flexibatch.domain.flexi import Situation, SituationChange, SituationKey, TotalKey
from flexibatch.domain.refdata import RefData
from flexibatch.store.base import (
    EVERY_SUBMISSION,
    AnswerRecord,
    EmployerTally,
    ErrorTally,
    FailureRecord,
    SubmissionQuery,
    SubmissionRecord,
    VersionRecord,
    YearTotal,
)

#: What names a file for ACRF-133: purpose, sender, file date, sequence, environment.
NameKey = tuple[str, str, str, str, str]


class Submissions(Protocol):
    """The submission log: one record per ticket, inserted once, never changed.

    Locking: a record is inserted by the transaction that decided its submission. Two transactions
    that check the same name key (`name_used`) or the same bytes in one environment
    (`content_received`) must not both accept: the check and the insert that follows are one
    transaction, and a concurrent backend serialises them on those keys.
    """

    def record(self, record: SubmissionRecord) -> None: ...
    def by_ticket(self, ticket: str) -> SubmissionRecord | None: ...
    def latest(self, limit: int, query: SubmissionQuery = EVERY_SUBMISSION) -> list[SubmissionRecord]:
        """The last `limit` records that `query` names, newest first."""
        ...

    def name_used(self, key: NameKey) -> bool:
        """Whether a submission of this name key was accepted (ACRF-133: the sender is in the key)."""
        ...

    def content_received(self, sha256: str, env: str) -> str | None:
        """The name under which these bytes were accepted in this environment (ACRF-134), if any."""
        ...

    def received(self, since: date, until: date) -> list[SubmissionRecord]:
        """The records received on these days (Belgian reception dates, both included), oldest first."""
        ...


class Tallies(Protocol):
    """What each accepted submission's declarations came to, per ErrorID and per employer: the
    figures of `flexibatch report`, written with the decisions, a few rows per submission.

    Locking: a submission's tallies are inserted once, in the transaction that records it (keyed
    by its ticket, which no other transaction holds); they are never changed.
    """

    def record(self, errors: Iterable[ErrorTally], employers: Iterable[EmployerTally]) -> None: ...
    def errors(self, since: date, until: date) -> list[ErrorTally]:
        """The ErrorID tallies of the submissions received on these days (both included)."""
        ...

    def employers(self, since: date, until: date) -> list[EmployerTally]:
        """The employer tallies of the submissions received on these days (both included)."""
        ...


class Answers(Protocol):
    """A submission's answer files, in publication order, and which are in the outbox.

    Locking: answers are inserted with their submission, in its transaction; only the holder of a
    submission's claim marks its answers published, each in a transaction of its own, in order.
    An answer name is taken by one submission only: the names are chosen in the transaction that
    records them.
    """

    def record(self, answers: Iterable[AnswerRecord]) -> None: ...
    def name_taken(self, folder: str, name: str) -> bool: ...
    def unpublished(self, ticket: str) -> list[AnswerRecord]:
        """A submission's answers not yet published, in publication order."""
        ...

    def mark_published(self, ticket: str, order: int) -> None:
        """One answer is in the outbox: a recovery publishes only the answers after it."""
        ...


class Failures(Protocol):
    """Submissions that failed for a reason of the processor's own (not the sender's).

    Locking: one record per (stage, subject), written by the processor that tried that subject:
    a record replaces the earlier one, the last writer wins, and two processors that raced for the
    same inbox file record the same facts.
    """

    def by_subject(self, stage: str, subject: str) -> FailureRecord | None: ...
    def all(self) -> list[FailureRecord]:
        """Every record, oldest failure first."""
        ...

    def record(self, record: FailureRecord) -> None:
        """Insert or replace the record of (stage, subject)."""
        ...

    def forget(self, stage: str, subject: str) -> None: ...


class ReferenceData(Protocol):
    """The reference data: senders, employers, mandates, worker statuses, replaced whole.

    Locking: `replace` is one transaction (`refdata load`); a reader sees the load before or the
    load after, never a mix. A processor reads `version` at each submission and reloads the
    snapshot when it changed.
    """

    def replace(self, refdata: RefData, source: str, loaded_at: datetime) -> None: ...
    def current(self) -> RefData: ...
    def version(self) -> int:
        """Which load is current (0 before the first): changes with every load."""
        ...


class Counters(Protocol):
    """Named counters for the numbers the processor issues (period ids, declaration tickets).

    Locking: a counter is advanced by one transaction at a time, so no value is issued twice; the
    values a rolled-back transaction reserved may be issued again (SQLite issues the same ones, so
    a submission decided again after a crash gets the same numbers). PostgreSQL advances a counter
    in a transaction of its own, at once, so workers never wait for each other's numbers: there a
    rolled-back reservation is a gap.
    """

    def reserve(self, counter: str, count: int) -> int:
        """Reserve `count` consecutive values of a counter and return the first."""
        ...

    def release(self, counter: str, first: int, count: int) -> None:
        """The `count` values from `first` on, the end of a reservation, were not issued: the counter
        goes back over them, unless another reservation was made since (then they stay unissued)."""
        ...

    def next_value(self, counter: str) -> int:
        """The first value the next `reserve` returns (1 for a new counter); reserves nothing."""
        ...


class Periods(Protocol):
    """The Dimona periods, current version in the row, every replaced version in the history.

    Locking: a period is changed only by a transaction that read it (by id or by its pair) and
    decided on it; two transactions that touch the same (environment, employer, worker) pair or
    period id must not interleave. Readers (the views) see the last commit.
    """

    def by_id(self, env: str, period_ids: Iterable[str]) -> list[Period]: ...
    def by_pair(
        self, env: str, pairs: Iterable[tuple[str, str]], running_on: date | None = None
    ) -> list[Period]:
        """The periods of these (employer, worker) pairs; with `running_on`, only those that can
        still run on that day or later (`Schedule.last_day`): a worker's older history stays out."""
        ...

    def save_changes(self, changes: Iterable[PeriodChange], recorded_at: datetime) -> None:
        """A batch's accepted changes, in document order: a period changed twice keeps both versions."""
        ...

    def count(self, env: str | None = None) -> int: ...
    def of(self, env: str, *, insz: str | None = None, employer_key: str | None = None) -> list[Period]:
        """A worker's or an employer's periods, for the views, in start order."""
        ...

    def active_between(
        self, env: str, first: date, last: date, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[Period]:
        """A worker's or an employer's active periods that run on a day from `first` to `last`
        (their days, start date to `Schedule.last_day`, meet the range; bounds included), in start
        order: the employer's wage run. SQLite finds them through `periods_pair`, the employer's
        entries with their last day; a backend may index (environment, employer, last day)."""
        ...

    def versions(self, env: str, period_id: str) -> list[VersionRecord]:
        """Every version of a period, the current one last: who declared what, and when."""
        ...


class Situations(Protocol):
    """Flexi at work situations with their history, and each worker's yearly totals.

    Locking: as periods, keyed by worker: a worker's situations and totals are changed only by a
    transaction that read them, and two transactions touching one (environment, worker) must not
    interleave (the yearly ceiling is a sum over every employer of that worker).
    """

    def by_key(self, env: str, keys: Iterable[SituationKey]) -> list[Situation]: ...
    def totals(self, env: str, keys: Iterable[TotalKey]) -> dict[TotalKey, int]: ...
    def save_changes(
        self,
        env: str,
        changes: Iterable[SituationChange],
        totals: Mapping[TotalKey, int],
        recorded_at: datetime,
    ) -> None:
        """A batch's accepted changes, in document order, and the totals they leave."""
        ...

    def of(self, env: str, *, insz: str | None = None, employer_key: str | None = None) -> list[Situation]:
        """A worker's or an employer's situations, for the views."""
        ...

    def active_between(
        self, env: str, first: date, last: date, *, insz: str | None = None, employer_key: str | None = None
    ) -> list[Situation]:
        """A worker's or an employer's active situations whose calculation periods meet the days
        from `first` to `last` (the span from the first calculation's start to the last one's end;
        bounds included): the employer's wage run, which then compares their validity periods.
        SQLite keeps that span in two columns (migration 9) and reads the employer's situations
        by their key."""
        ...

    def totals_of(self, env: str, insz: str) -> dict[int, int]: ...
    def totals_above(self, year: int, amount: int) -> list[YearTotal]:
        """Every worker's total for `year`, in every environment, that is above `amount` cents."""
        ...

    def versions(self, env: str, key: SituationKey) -> list[VersionRecord]:
        """Every version of a situation, the current one last."""
        ...


class Turns(Protocol):
    """Whose turn it is to claim a sender's submissions: one worker at a time per sender, so a
    sender's submissions are decided in the order the sender made them (docs/decisions.md "Order")
    even by several workers.

    Locking: a turn is held from before the claim until the answers are published, across the
    submission's transactions, and ends with its worker (a killed worker's turn ends with its
    session). A turn another worker holds is not waited for: that worker takes the sender's next
    submission too. SQLite's one writer decides one submission at a time: every turn is free.
    """

    def take(self, sender: str) -> AbstractContextManager[bool]:
        """The sender's turn for the block, if no other worker holds it (then False)."""
        ...


class Queue(Protocol):
    """The submissions an intake host claimed, handed to decide workers on other hosts, and the
    answers they rendered, handed back (docs/decisions.md, decision 89). PostgreSQL only: a
    SQLite state is one host's.

    Locking: only the intake registers, fetches answers and forgets; a worker `take`s the head of
    one sender folder's queue inside the transaction that decides it (the row lock is that
    sender's turn, held to the commit, ended with the worker's session) and marks it `decided`,
    with its answers' bytes, in that transaction. Behind an undecided row of its folder a row is
    not taken, so each sender's submissions are decided one after another, in the intake's order.
    """

    def register(self, ticket: str, turn: str, claim: Mapping[str, Any], files: Iterable[Path]) -> None:
        """A claimed submission (its claim record, its files' bytes in order), committed at once."""
        ...

    def registered(self, ticket: str) -> bool: ...
    def take(self) -> tuple[str, dict[str, Any]] | None:
        """The head of a folder's queue no other worker holds, locked to the end of the transaction."""
        ...

    def fetch_files(self, ticket: str, targets: list[Path]) -> None:
        """A taken submission's files, written to `targets` in registration order."""
        ...

    def decided(self, ticket: str, decided_by: str, answers: Iterable[tuple[int, Path]]) -> None:
        """The taken submission is decided (in the deciding transaction), with its answers' bytes by position."""
        ...

    def fetch_answers(self, ticket: str, targets: Mapping[int, Path]) -> None:
        """A decided submission's answers, by position, written to `targets` for publication."""
        ...

    def forget(self, ticket: str) -> None:
        """Every answer is published: the row and its bytes go."""
        ...

    def waiting(self) -> int:
        """How many registered submissions no worker has decided yet."""
        ...


class Store(Protocol):
    """The unit of work: the repositories over one state, and its transactions."""

    @property
    def submissions(self) -> Submissions: ...
    @property
    def answers(self) -> Answers: ...
    @property
    def failures(self) -> Failures: ...
    @property
    def tallies(self) -> Tallies: ...
    @property
    def refdata(self) -> ReferenceData: ...
    @property
    def counters(self) -> Counters: ...
    @property
    def periods(self) -> Periods: ...
    @property
    def situations(self) -> Situations: ...
    @property
    def turns(self) -> Turns: ...

    #: The backend's own errors that mean the state failed under a command's work (a page gone bad
    #: after it opened): `opened()` names the state in a StoreError for them.
    driver_errors: tuple[type[Exception], ...]

    def transaction(self) -> AbstractContextManager[None]:
        """All writes of one submission: committed together or not at all."""
        ...

    def close(self) -> None: ...
