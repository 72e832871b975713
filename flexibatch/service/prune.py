"""`flexibatch prune --older-than DAYS` (SPEC 10): the archived and quarantined files of old
submissions removed, for they hold personal data (INSZ numbers, wages); their records stay.

Only `<work>/archive/<date>/<ticket>/` and `<work>/quarantine/<date>/<ticket>/` are looked at.
A submission goes when its reception time (the store's, else its claim record's) is more than DAYS
days before now on the real clock, whatever FLEXIBATCH_NOW says. What stays: every claim in
`claims/` (in progress, or interrupted and finished by the next run), a quarantined submission the
processor gave up (`FAILED.txt`: nobody answered it yet, the operator decides), a folder whose age
cannot be told, one locked by a `replay` in progress, and the inbox, the outbox and the state.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flexibatch.channel.claims import CLAIM_FILE, SHELVES, lock_folder
from flexibatch.service.failures import REASON_FILE
from flexibatch.setting_values import BRUSSELS
from flexibatch.store.ports import Store


@dataclass(slots=True)
class Pruned:
    """What a prune removed and what it kept that was old enough to go."""

    removed: list[Path] = field(default_factory=list)
    removed_bytes: int = 0
    #: Old enough, kept: given up by the processor, of unknown age, or locked by a replay.
    kept: dict[Path, str] = field(default_factory=dict)


def _filed(work: Path) -> Iterator[Path]:
    for shelf in SHELVES:
        for day in sorted((work / shelf).glob("*")):
            if day.is_dir():
                yield from sorted(path for path in day.iterdir() if path.is_dir())


def _received(folder: Path, store: Store) -> datetime | None:
    """When a filed submission was received, as a moment (Belgian time with its offset)."""
    record = store.submissions.by_ticket(folder.name)
    if record is not None:
        return record.reception_time.replace(tzinfo=BRUSSELS)
    try:
        claimed = datetime.fromisoformat(json.loads((folder / CLAIM_FILE).read_text("utf-8"))["reception"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return claimed.replace(tzinfo=BRUSSELS) if claimed.tzinfo is None else claimed


def _waiting_for_the_operator(folder: Path, store: Store) -> bool:
    """Given up (`FAILED.txt`) and never answered: not decided, or answers left unpublished. One
    the operator finished since (moved back into `claims/`) is answered and may go."""
    if not (folder / REASON_FILE).exists():
        return False
    return store.submissions.by_ticket(folder.name) is None or bool(store.answers.unpublished(folder.name))


def _size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def prune(work: Path, store: Store, older_than_days: int, *, dry_run: bool = False) -> Pruned:
    cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
    done = Pruned()
    for folder in _filed(work):
        received = _received(folder, store)
        if received is not None and received >= cutoff:
            continue
        if received is None:
            done.kept[folder] = "its reception time cannot be told"
        elif _waiting_for_the_operator(folder, store):
            done.kept[folder] = "given up by the processor: see FAILED.txt"
        elif dry_run:
            done.removed.append(folder)
            done.removed_bytes += _size(folder)
        elif (lock := lock_folder(folder)) is None:
            done.kept[folder] = "being replayed"
        else:
            size = _size(folder)
            shutil.rmtree(folder)
            lock.close()
            done.removed.append(folder)
            done.removed_bytes += size
    if not dry_run:
        for shelf in SHELVES:
            for day in (work / shelf).glob("*"):
                if day.is_dir() and not any(day.iterdir()):
                    day.rmdir()
    return done
