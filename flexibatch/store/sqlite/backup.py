"""`flexibatch backup DEST` for a SQLite state: SQLite's online backup API, while the channel runs.

The copy is made from a read-only connection in one step, so it is the state as of one commit: a
submission in the copy is there whole (its changes, numbers, record and answer names) or not at
all, and the writer (`watch`) is never stopped; in WAL mode a reader does not hold it up. The copy
is written under a hidden name beside DEST in rollback-journal mode (one file, no `-wal` beside
it), flushed, renamed to DEST and its folder flushed: DEST is always a whole backup, the new one or
the one before.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from flexibatch.errors import ConfigError, StoreError
from flexibatch.files import flush_to_disk, open_private


def backup(state: str, dest: Path) -> None:
    source_path = Path(state)
    if not source_path.is_file():
        raise ConfigError(f"the state {state} does not exist: there is nothing to back up")
    if dest.is_dir():
        raise ConfigError(
            f"the backup {dest} is a folder: give the file to write, such as {dest}/flexibatch.db"
        )
    if dest.exists() and dest.resolve() == source_path.resolve():
        raise ConfigError(f"the backup {dest} is the state itself: give another file")
    if not dest.parent.is_dir():
        raise ConfigError(f"the folder of the backup {dest} does not exist")
    partial = dest.with_name(f".{dest.name}.partial")
    open_private(partial).close()  # 0600 from the start: the state holds personal data
    try:
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # every page in one step: one read snapshot, the last commit
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        flush_to_disk(partial)
        partial.replace(dest)
        flush_to_disk(dest.parent)
    except sqlite3.Error as exc:
        raise StoreError(f"the backup of the state {state} failed: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"the backup {dest} cannot be written: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
