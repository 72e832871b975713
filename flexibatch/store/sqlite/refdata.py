"""The reference data and the counters in SQLite: each replaced or advanced in a transaction of its own,
or in the caller's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.store.sqlite.connection import SqliteConnection
from flexibatch.store.sqlite.rows import parse_date

#: The tables of a load, each with its rows (`refdata_rows`), as both backends keep them.
REFDATA_TABLES = ("ref_senders", "ref_employers", "ref_mandates", "ref_workers")


def refdata_rows(refdata: RefData) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "ref_senders": [
            (sender, name, refdata.languages.get(sender)) for sender, name in refdata.senders.items()
        ],
        "ref_employers": [(e.noss, e.company_id, e.name) for e in refdata.employers],
        "ref_mandates": [
            (
                m.sender,
                m.noss,
                m.company_id,
                m.purpose,
                m.valid_from.isoformat(),
                m.valid_to.isoformat() if m.valid_to else None,
            )
            for m in refdata.mandates
        ],
        "ref_workers": [(insz, quarter, status.value) for (insz, quarter), status in refdata.workers.items()],
    }


def load_record(refdata: RefData, source: str, loaded_at: datetime) -> tuple[str, str, str]:
    """The `refdata_loads` row of a load: when, from where, how many of each."""
    counts = {
        "senders": len(refdata.senders),
        "employers": len(refdata.employers),
        "mandates": len(refdata.mandates),
        "workers": len(refdata.workers),
    }
    return (loaded_at.isoformat(timespec="seconds"), source, json.dumps(counts))


def refdata_from(query: Callable[[str], Iterable[Sequence[Any]]]) -> RefData:
    """The current load, read through `query` (a statement in, its rows out)."""
    senders = list(query("SELECT sender, name, language FROM ref_senders"))
    return RefData.build(
        senders={str(sender): str(name) for sender, name, _ in senders},
        languages={str(sender): str(language) for sender, _, language in senders if language},
        employers=[
            EmployerRecord(noss, company_id, name)
            for noss, company_id, name in query("SELECT noss, company_id, name FROM ref_employers")
        ],
        mandates=[
            Mandate(sender, noss, company_id, purpose, date.fromisoformat(vf), parse_date(vt))
            for sender, noss, company_id, purpose, vf, vt in query(
                "SELECT sender, noss, company_id, purpose, valid_from, valid_to FROM ref_mandates"
            )
        ],
        workers={
            (insz, quarter): WorkerStatus(status)
            for insz, quarter, status in query("SELECT insz, quarter, status FROM ref_workers")
        },
    )


class SqliteReferenceData:
    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self._db = connection._db

    def replace(self, refdata: RefData, source: str, loaded_at: datetime) -> None:
        with self._connection.transaction():
            for table, rows in refdata_rows(refdata).items():
                self._db.execute(f"DELETE FROM {table}")
                if rows:
                    self._db.executemany(
                        f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows
                    )
            self._db.execute(
                "INSERT INTO refdata_loads (loaded_at, source, counts) VALUES (?, ?, ?)",
                load_record(refdata, source, loaded_at),
            )

    def version(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM refdata_loads").fetchone()[0])

    def current(self) -> RefData:
        return refdata_from(self._db.execute)


class SqliteCounters:
    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self._db = connection._db

    def reserve(self, counter: str, count: int) -> int:
        with self._connection.transaction():
            row = self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (counter, count),
            ).fetchone()
        return int(row[0]) - count + 1

    def release(self, counter: str, first: int, count: int) -> None:
        self._db.execute(
            "UPDATE counters SET value = value - ? WHERE name = ? AND value = ?",
            (count, counter, first + count - 1),
        )

    def next_value(self, counter: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (counter,)).fetchone()
        return (0 if row is None else int(row[0])) + 1
