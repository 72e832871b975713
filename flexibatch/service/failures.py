"""A submission the processor cannot claim or finish, for a reason of its own, fails alone.

A sender folder it cannot write, a file it cannot move, a full disk, a bug: the submission is
recorded in the store (`failures`: why, how often), logged in one line, and tried again after a
growing delay on the real clock (`retry_seconds`, doubled at each failure, at most an hour) while
the other submissions are answered. At `failure_attempts` failures it is given up: a claim moves to
the quarantine with a `FAILED.txt` saying why (moved back into `claims/`, the next run finishes it);
files that could not leave the inbox stay there, skipped until they change (uploaded again, or
touched once the cause is mended). See "When a submission fails" in docs/decisions.md and
docs/operations.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import structlog

from flexibatch.channel.claims import Claim
from flexibatch.channel.inbox import Drop
from flexibatch.channel.names import safe_name
from flexibatch.config import Settings
from flexibatch.files import write_private
from flexibatch.store.base import FailureRecord
from flexibatch.store.ports import Store

log = structlog.get_logger()

#: Its files are still in the inbox: keyed by the first one's path there.
CLAIM = "CLAIM"
#: Its files are in a claim folder: keyed by its ticket.
FINISH = "FINISH"
#: Where a claim given up is told why.
REASON_FILE = "FAILED.txt"
#: The longest wait between two attempts (unless `retry_seconds` is longer).
LONGEST_DELAY = 3600.0
#: `quarantined` of files given up that could not leave the inbox.
LEFT_IN_INBOX = "inbox"


@dataclass(frozen=True, slots=True)
class Subject:
    """What failed: the files of a submission still in the inbox, or a claim."""

    stage: str
    key: str
    folder: str | None
    file_name: str
    ticket: str | None = None
    fingerprint: str = ""

    @classmethod
    def in_inbox(cls, drops: list[Drop]) -> Subject:
        first = drops[0]
        return cls(
            CLAIM,
            inbox_key(Path(first.folder or "", first.name)),
            first.folder,
            safe_name(first.name),
            fingerprint=";".join(f"{d.name!r}:{d.size}:{d.mtime!r}" for d in drops),
        )

    @classmethod
    def claimed(cls, taken: Claim) -> Subject:
        return cls(FINISH, taken.ticket, taken.folder, taken.file_name, taken.ticket)

    @classmethod
    def partly_claimed(cls, ticket: str, drops: list[Drop]) -> Subject:
        """A claim that took its first file and failed on another: the claim's failure."""
        return cls(FINISH, ticket, drops[0].folder, safe_name(drops[0].name), ticket)


def inbox_key(relative: Path) -> str:
    """A path in the inbox as text the store can hold: a name may hold bytes that are not UTF-8."""
    return quote(os.fsencode(relative), safe="/")


def inbox_path(inbox: Path, key: str) -> Path:
    return inbox / os.fsdecode(unquote_to_bytes(key))


def describe(error: BaseException) -> str:
    """The reason an operator reads: `OSError: [Errno 30] Read-only file system: '/srv/inbox/...'`."""
    return f"{type(error).__name__}: {error}"


class Failures:
    """The failures of one processor's submissions, kept in the store."""

    def __init__(self, store: Store, settings: Settings, wall_clock: Callable[[], float]) -> None:
        self.store = store
        self.settings = settings
        self.wall_clock = wall_clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_clock(), UTC)

    def postponed(self, subject: Subject) -> bool:
        """Whether to leave it alone now: it waits for its next attempt, or was given up."""
        record = self.store.failures.by_subject(subject.stage, subject.key)
        if record is None:
            return False
        if record.fingerprint != subject.fingerprint or (subject.stage == FINISH and record.quarantined):
            # Changed files are a new upload; a claim given up and found in claims/ again was moved
            # back by the operator: both start afresh.
            self._forget(subject.stage, subject.key)
            return False
        return record.quarantined is not None or record.next_attempt > self._now()

    def succeeded(self, subject: Subject) -> None:
        if self.store.failures.by_subject(subject.stage, subject.key) is not None:
            self._forget(subject.stage, subject.key)

    def _forget(self, stage: str, key: str) -> None:
        try:
            with self.store.transaction():
                self.store.failures.forget(stage, key)
        except Exception as error:  # the store on a full disk: forgotten later (`forget_stale`)
            log.error("a failure could not be forgotten", stage=stage, subject=key, reason=describe(error))

    def failed(
        self, subject: Subject, error: BaseException, quarantine: Callable[[], Path] | None = None
    ) -> FailureRecord:
        """Record one more failure; at the last allowed one, give up (`quarantine` moves a claim)."""
        now = self._now()
        earlier = self.store.failures.by_subject(subject.stage, subject.key)
        same = earlier is not None and earlier.fingerprint == subject.fingerprint
        attempts = earlier.attempts + 1 if earlier is not None and same else 1
        reason = describe(error)
        quarantined: str | None = None
        if attempts >= self.settings.failure_attempts:
            quarantined = self._give_up(subject, quarantine, reason, attempts, now)
        first = self.settings.retry_seconds
        delay = min(first * 2 ** (attempts - 1), max(first, LONGEST_DELAY))
        record = FailureRecord(
            stage=subject.stage,
            subject=subject.key,
            folder=subject.folder or "",
            file_name=subject.file_name,
            attempts=attempts,
            reason=reason,
            failed_at=now,
            next_attempt=now + timedelta(seconds=delay),
            fingerprint=subject.fingerprint,
            quarantined=quarantined,
        )
        logger = log.bind(
            stage=subject.stage, ticket=subject.ticket, file=subject.file_name, folder=subject.folder
        )
        bug = None if isinstance(error, OSError) else error  # a bug's traceback is needed to mend it
        try:
            with self.store.transaction():
                self.store.failures.record(record)
        except Exception as unrecorded:  # the store on the full disk: tried again at the next scan
            logger.error("the failure could not be recorded", reason=describe(unrecorded))
        if quarantined is not None:
            logger.error(
                "submission failed too often: given up",
                attempts=attempts,
                reason=reason,
                quarantined=quarantined,
                exc_info=bug,
            )
        else:
            logger.error(
                "submission failed: tried again later",
                attempts=attempts,
                reason=reason,
                retry_at=record.next_attempt.isoformat(timespec="seconds"),
                exc_info=bug,
            )
        return record

    def _give_up(
        self,
        subject: Subject,
        quarantine: Callable[[], Path] | None,
        reason: str,
        attempts: int,
        now: datetime,
    ) -> str | None:
        if quarantine is None:
            return LEFT_IN_INBOX  # it could not leave the inbox: skipped there until it changes
        try:
            target = quarantine()
        except Exception as error:  # the quarantine on the full disk too: tried again later
            log.error("could not quarantine", ticket=subject.ticket, reason=describe(error))
            return None
        note = (
            f"Given up after {attempts} failures, the last at {now:%Y-%m-%d %H:%M:%S} UTC:\n{reason}\n\n"
            "This is a problem of the processor's own, not the sender's. Once it is mended, move this\n"
            "folder back into the work folder's claims/: the next run finishes it (decides it if it was\n"
            "not decided, publishes the answers not yet published).\n"
        )
        with contextlib.suppress(OSError):  # on a full disk: the reason is in the store and the log
            write_private(target / REASON_FILE, note.encode("utf-8"))
        return str(target)

    def forget_stale(self, inbox: Path, claims: Path) -> None:
        """Forget failures whose files are gone: taken by another process, removed by their sender,
        or (given up) removed by the operator."""
        for record in self.store.failures.all():
            if record.stage == CLAIM:
                gone = not os.path.lexists(inbox_path(inbox, record.subject))
            else:
                gone = not (claims / record.subject).exists() and (
                    record.quarantined is None or not Path(record.quarantined).exists()
                )
            if gone:
                self._forget(record.stage, record.subject)
