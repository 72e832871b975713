"""The reference data and the counters in SQLite: each replaced or advanced in a transaction of its own,
or in the caller's."""

from __future__ import annotations

import json
from datetime import date, datetime

from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.store.sqlite.connection import SqliteConnection
from flexibatch.store.sqlite.rows import parse_date


class SqliteReferenceData:
    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self._db = connection._db

    def replace(self, refdata: RefData, source: str, loaded_at: datetime) -> None:
        with self._connection.transaction():
            for table in ("ref_senders", "ref_employers", "ref_mandates", "ref_workers"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.executemany(
                "INSERT INTO ref_senders (sender, name, language) VALUES (?, ?, ?)",
                ((sender, name, refdata.languages.get(sender)) for sender, name in refdata.senders.items()),
            )
            self._db.executemany(
                "INSERT INTO ref_employers VALUES (?, ?, ?)",
                ((e.noss, e.company_id, e.name) for e in refdata.employers),
            )
            self._db.executemany(
                "INSERT INTO ref_mandates VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        m.sender,
                        m.noss,
                        m.company_id,
                        m.purpose,
                        m.valid_from.isoformat(),
                        m.valid_to.isoformat() if m.valid_to else None,
                    )
                    for m in refdata.mandates
                ),
            )
            self._db.executemany(
                "INSERT INTO ref_workers VALUES (?, ?, ?)",
                ((insz, quarter, status.value) for (insz, quarter), status in refdata.workers.items()),
            )
            counts = {
                "senders": len(refdata.senders),
                "employers": len(refdata.employers),
                "mandates": len(refdata.mandates),
                "workers": len(refdata.workers),
            }
            self._db.execute(
                "INSERT INTO refdata_loads (loaded_at, source, counts) VALUES (?, ?, ?)",
                (loaded_at.isoformat(timespec="seconds"), source, json.dumps(counts)),
            )

    def version(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM refdata_loads").fetchone()[0])

    def current(self) -> RefData:
        db = self._db
        senders = db.execute("SELECT sender, name, language FROM ref_senders").fetchall()
        return RefData.build(
            senders={sender: name for sender, name, _ in senders},
            languages={sender: language for sender, _, language in senders if language},
            employers=[
                EmployerRecord(noss, company_id, name)
                for noss, company_id, name in db.execute("SELECT noss, company_id, name FROM ref_employers")
            ],
            mandates=[
                Mandate(sender, noss, company_id, purpose, date.fromisoformat(vf), parse_date(vt))
                for sender, noss, company_id, purpose, vf, vt in db.execute("SELECT * FROM ref_mandates")
            ],
            workers={
                (insz, quarter): WorkerStatus(status)
                for insz, quarter, status in db.execute("SELECT insz, quarter, status FROM ref_workers")
            },
        )


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

    def next_value(self, counter: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (counter,)).fetchone()
        return (0 if row is None else int(row[0])) + 1
