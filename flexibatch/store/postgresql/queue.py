"""The intake's queue in PostgreSQL: what workers on other hosts decide, and what they answered.

The intake registers each submission it claimed (its claim record, its files' bytes) in the order
it claimed them; a decide worker takes the head of a sender folder's queue (`turn`) with
`FOR UPDATE SKIP LOCKED` inside the transaction that decides it: the row lock is that sender's
turn, held until the commit, and it dies with the worker's session. A row behind an undecided one
of its turn is not taken, so a sender's submissions are decided one after another in its order;
`decided` is a column of the locked row itself, so a worker that finds the head just committed by
another sees it decided (READ COMMITTED rechecks a locked row's own columns) and passes on.

The answers a worker rendered are kept as bytes with the decision and written back by the intake,
which publishes them; it forgets the row (its bytes go with it) once every answer is published.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from flexibatch.files import make_durable, open_private
from flexibatch.store.postgresql.connection import PostgresConnection

#: The bytes of a file or an answer go in rows of this size at most: bounded memory on both hosts.
CHUNK = 8 * 1024 * 1024

_HEAD = """
SELECT q.ticket, q.claim FROM intake_queue q
WHERE NOT q.decided AND NOT EXISTS (
    SELECT 1 FROM intake_queue e WHERE e.turn = q.turn AND NOT e.decided AND e.registered < q.registered
)
ORDER BY q.registered LIMIT 1 FOR UPDATE OF q SKIP LOCKED
"""


def _chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as handle:
        while data := handle.read(CHUNK):
            yield data


class PostgresQueue:
    """The queue of one PostgreSQL state (`store.ports.Queue`)."""

    def __init__(self, connection: PostgresConnection) -> None:
        self._connection = connection

    def register(self, ticket: str, turn: str, claim: Mapping[str, Any], files: Iterable[Path]) -> None:
        db = self._connection.db
        with self._connection.transaction():
            db.execute(
                "INSERT INTO intake_queue (ticket, turn, claim) VALUES (%s, %s, %s)",
                (ticket, turn, json.dumps(claim)),
            )
            for number, path in enumerate(files):
                for chunk, data in enumerate(_chunks(path)):
                    db.execute(
                        "INSERT INTO intake_files (ticket, file, chunk, data) VALUES (%s, %s, %s, %s)",
                        (ticket, number, chunk, data),
                    )

    def registered(self, ticket: str) -> bool:
        row = self._connection.db.execute(
            "SELECT 1 FROM intake_queue WHERE ticket = %s", (ticket,)
        ).fetchone()
        return row is not None

    def take(self) -> tuple[str, dict[str, Any]] | None:
        assert self._connection.in_transaction, "a turn is held by the transaction that decides it"
        row = self._connection.db.execute(_HEAD).fetchone()
        return None if row is None else (str(row[0]), json.loads(str(row[1])))

    def _read(self, table: str, key: tuple[str, int], out: IO[bytes]) -> None:
        """One file's or answer's chunks written out, one row at a time: never all in memory."""
        column = "file" if table == "intake_files" else "position"
        chunk = 0
        while (
            row := self._connection.db.execute(
                f"SELECT data FROM {table} WHERE ticket = %s AND {column} = %s AND chunk = %s", (*key, chunk)
            ).fetchone()
        ) is not None:
            out.write(bytes(row[0]))  # type: ignore[call-overload]
            chunk += 1

    def fetch_files(self, ticket: str, targets: list[Path]) -> None:
        for number, path in enumerate(targets):
            with open_private(path) as out:
                self._read("intake_files", (ticket, number), out)

    def decided(self, ticket: str, decided_by: str, answers: Iterable[tuple[int, Path]]) -> None:
        db = self._connection.db
        for position, path in answers:
            for chunk, data in enumerate(_chunks(path)):
                db.execute(
                    "INSERT INTO answer_bytes (ticket, position, chunk, data) VALUES (%s, %s, %s, %s)",
                    (ticket, position, chunk, data),
                )
        db.execute(
            "UPDATE intake_queue SET decided = true, decided_by = %s WHERE ticket = %s", (decided_by, ticket)
        )

    def fetch_answers(self, ticket: str, targets: Mapping[int, Path]) -> None:
        """Each answer under a fresh name renamed over `targets[position]`: never written into a
        file that is already published (a hard link of it is in the outbox)."""
        for position, target in targets.items():
            temporary = target.with_name(f".{target.name}.fetched")
            with open_private(temporary) as out:
                self._read("answer_bytes", (ticket, position), out)
            temporary.replace(target)
        make_durable(targets.values())

    def forget(self, ticket: str) -> None:
        self._connection.db.execute("DELETE FROM intake_queue WHERE ticket = %s", (ticket,))

    def waiting(self) -> int:
        row = self._connection.db.execute("SELECT count(*) FROM intake_queue WHERE NOT decided").fetchone()
        return 0 if row is None else int(str(row[0]))
