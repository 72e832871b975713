"""SPEC 1: what is in the inbox, what is ready, and claiming it.

A scan decides everything from what is on disk; filesystem events only make scans happen sooner.
A submission is ready when its GO file and all its FI parts are present: nothing is read before.

Claiming moves the files out of the inbox into a claim folder under the work folder. The claim
folder is prepared under a hidden name with its `claim.json` (reception time, ticket, where each file
came from) and locked, then renamed into place, and only then are the files moved in, GO first: the
rename of the GO is the atomic step that makes one process the owner. A process that dies leaves a
claim folder whose lock is free, which recovery finishes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import structlog

from flexibatch.channel.names import (
    PURPOSES,
    ChannelName,
    Kind,
    SubmissionKey,
    is_in_progress,
    parse_name,
    safe_name,
)
from flexibatch.domain.anomalies import Diagnostic, diagnostic
from flexibatch.files import open_private, private_dir, write_private

log = structlog.get_logger()

CLAIM_FILE = "claim.json"
LOCK_FILE = ".lock"
_SENDER_FOLDER_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Drop:
    """A file a sender dropped in the inbox."""

    path: Path
    folder: str | None
    size: int
    mtime: float
    is_link: bool

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(slots=True)
class Pending:
    """The files of one submission found so far."""

    folder: str | None
    key: SubmissionKey
    trigger: tuple[ChannelName, Drop] | None = None
    data: list[tuple[ChannelName, Drop]] = field(default_factory=list)
    signatures: list[tuple[ChannelName, Drop]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """The GO is there and either every part is, or the parts contradict the count (ACRF-114):
        the sender said the upload is complete, so waiting would not mend it."""
        if self.trigger is None:
            return False
        parts = self.trigger[0].parts
        present = {name.part for name, _ in self.data if name.parts == parts}
        contradicting = any(name.parts != parts or (name.part or 0) > parts for name, _ in self.data)
        return contradicting or present >= set(range(1, parts + 1))

    @property
    def drops(self) -> list[tuple[ChannelName, Drop]]:
        """Data parts in part order, then the GO, then signatures."""
        ordered = sorted(self.data, key=lambda item: (item[0].part or 0, item[1].name))
        trigger = [self.trigger] if self.trigger else []
        return ordered + trigger + self.signatures

    @property
    def oldest(self) -> float:
        return min(drop.mtime for _, drop in self.drops)


@dataclass(slots=True)
class InboxView:
    ready: list[Pending] = field(default_factory=list)
    waiting: list[Pending] = field(default_factory=list)
    timed_out: list[Pending] = field(default_factory=list)
    foreign: list[tuple[Drop, list[Diagnostic]]] = field(default_factory=list)


def _entries(inbox: Path) -> Iterator[Drop]:
    """Files directly in the inbox and in 6-digit sender folders; links are reported, never followed."""
    folders: list[tuple[Path, str | None]] = [(inbox, None)]
    with os.scandir(inbox) as top:
        for entry in top:
            if entry.is_dir(follow_symlinks=False):
                if len(entry.name) == _SENDER_FOLDER_LENGTH and entry.name.isdigit():
                    folders.append((Path(entry.path), entry.name))
                elif not is_in_progress(entry.name):
                    log.warning("inbox folder ignored: not a 6-digit sender folder", folder=entry.name)
    for path, folder in folders:
        with os.scandir(path) as listing:
            for entry in listing:
                if is_in_progress(entry.name):
                    continue
                try:
                    is_link = entry.is_symlink()
                    if not is_link and not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # claimed by another process between the listing and the look
                yield Drop(Path(entry.path), folder, stat.st_size, stat.st_mtime, is_link)


def _made_order(group: Pending) -> tuple[str, str, int, str, float]:
    """The order senders made their files in: date and sequence of the name, Dimona before Flexi at
    work (a wage transfer is checked against the Dimona periods), then arrival."""
    key = group.key
    return (key.date, key.sequence, PURPOSES.index(key.purpose), key.sender, group.oldest)


def scan(
    inbox: Path, settle_seconds: float, go_timeout_seconds: float, wall_now: float | None = None
) -> InboxView:
    """Sort what is in the inbox. File ages use the real clock (SPEC 2)."""
    now = time.time() if wall_now is None else wall_now
    view = InboxView()
    pending: dict[tuple[str | None, SubmissionKey], Pending] = {}
    for drop in _entries(inbox):
        parsed = parse_name(drop.name)
        if not isinstance(parsed, ChannelName):
            if now - drop.mtime < settle_seconds:
                continue  # answered once it has stopped changing
            if drop.is_link:
                parsed = [
                    diagnostic("ACRF-901", "A link is not accepted in the inbox: drop the file itself.")
                ]
            view.foreign.append((drop, parsed))
            continue
        group = pending.setdefault((drop.folder, parsed.key), Pending(drop.folder, parsed.key))
        if parsed.kind is Kind.TRIGGER:
            if group.trigger is not None:  # a second GO of another parts count: consumed with it
                group.signatures.append((parsed, drop))
            else:
                group.trigger = (parsed, drop)
        elif parsed.kind is Kind.DATA:
            group.data.append((parsed, drop))
        else:
            group.signatures.append((parsed, drop))
    for group in sorted(pending.values(), key=_made_order):
        if group.ready:
            view.ready.append(group)
        elif group.trigger is None and not group.data:
            continue  # signatures alone wait for their submission
        elif now - group.oldest >= go_timeout_seconds:
            view.timed_out.append(group)
        else:
            view.waiting.append(group)
    return view


@dataclass(slots=True)
class Claim:
    """A submission (or a foreign file) taken out of the inbox, with everything needed to redo it."""

    ticket: str
    directory: Path
    folder: str | None
    reception: datetime
    kind: str  # SUBMISSION, FOREIGN or TIMEOUT
    files: list[str]
    sources: list[str]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    lock: IO[str] | None = None

    @property
    def data_files(self) -> list[Path]:
        return [self.directory / name for name in self.files if name.startswith("FI.")]

    @property
    def file_name(self) -> str:
        """The name the answers refer to: part 1's (SPEC 4), else the GO's, else the file's; shown
        safely (a sender's name may hold bytes that are not UTF-8, control characters, 255 bytes)."""
        data = [name for name in self.files if name.startswith("FI.")]
        return safe_name((data or self.files)[0])

    def problems(self) -> list[Diagnostic]:
        return [Diagnostic(**item) for item in self.diagnostics]

    def release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def _save(self, directory: Path) -> None:
        record = {
            "ticket": self.ticket,
            "folder": self.folder,
            "reception": self.reception.isoformat(timespec="microseconds"),
            "kind": self.kind,
            "files": self.files,
            "sources": self.sources,
            "diagnostics": self.diagnostics,
        }
        temporary = directory / (CLAIM_FILE + ".tmp")
        write_private(temporary, json.dumps(record, indent=1).encode("utf-8"))
        temporary.replace(directory / CLAIM_FILE)


def _lock(directory: Path) -> IO[str] | None:
    try:
        handle: IO[str] = open_private(directory / LOCK_FILE, "a", encoding="utf-8")
    except FileNotFoundError:
        return None  # finished and filed away by another process meanwhile
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def claims_dir(work: Path) -> Path:
    return private_dir(work / "claims")


def claim(
    drops: list[Drop],
    work: Path,
    *,
    ticket: str,
    reception: datetime,
    kind: str,
    diagnostics: list[Diagnostic] | None = None,
) -> Claim | None:
    """Take these files out of the inbox; None when another process took the first one first."""
    root = claims_dir(work)
    staging = root / f".new-{ticket}"
    staging.mkdir(mode=0o700)
    lock = _lock(staging)
    assert lock is not None, "a fresh claim folder is not locked by anyone else"
    taken = Claim(
        ticket=ticket,
        directory=root / ticket,
        folder=drops[0].folder,
        reception=reception,
        kind=kind,
        files=[drop.name for drop in drops],
        sources=[str(drop.path) for drop in drops],
        diagnostics=[
            {"code": d.code, "message": d.message, "line": d.line, "column": d.column, "path": d.path}
            for d in diagnostics or []
        ],
        lock=lock,
    )
    try:
        taken._save(staging)
        staging.rename(taken.directory)
        first, *others = drops
        try:
            first.path.rename(taken.directory / first.name)
        except FileNotFoundError:  # another process renamed it first: undo, still holding the lock
            shutil.rmtree(taken.directory, ignore_errors=True)
            taken.release()
            return None
        for drop in others:
            _take(drop.path, taken.directory)
    except BaseException:
        taken.release()  # a failure of this claim (the pipeline records it): its lock must not linger
        raise
    return taken


def _take(source: Path, directory: Path) -> None:
    with contextlib.suppress(FileNotFoundError):  # already moved before a crash
        source.rename(directory / source.name)


def orphaned_claims(work: Path, stale_seconds: float = 3600.0) -> Iterator[Claim]:
    """Claim folders no live process holds: their processor died. Each comes back locked."""
    root = claims_dir(work)
    for directory in sorted(root.iterdir()):
        if directory.name.startswith(".new-"):
            if time.time() - directory.stat().st_mtime > stale_seconds and (lock := _lock(directory)):
                lock.close()
                shutil.rmtree(directory, ignore_errors=True)  # prepared, never renamed: holds no file
            continue
        lock = _lock(directory)
        if lock is None:
            continue
        try:
            record = json.loads((directory / CLAIM_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            # Filed away by its owner just before we locked it, or what a process that lost the race
            # for a GO left while undoing its claim: a real claim has its claim.json from the start.
            shutil.rmtree(directory, ignore_errors=True)
            lock.close()
            continue
        taken = Claim(
            ticket=record["ticket"],
            directory=directory,
            folder=record["folder"],
            reception=datetime.fromisoformat(record["reception"]),
            kind=record["kind"],
            files=record["files"],
            sources=record["sources"],
            diagnostics=record["diagnostics"],
            lock=lock,
        )
        if not (directory / taken.files[0]).exists():
            taken.release()  # died before owning the first file: nothing was taken
            shutil.rmtree(directory, ignore_errors=True)
            continue
        yield taken


def take_rest(taken: Claim) -> None:
    """Move in the files an interrupted claim had not taken yet (it owns the first one). Apart from
    `orphaned_claims`, so that a file that cannot be moved is this claim's failure alone."""
    for source in taken.sources[1:]:
        _take(Path(source), taken.directory)


def file_away(taken: Claim, work: Path, refused: bool) -> Path:
    """Move a finished claim to the archive (accepted) or to quarantine (refused)."""
    shelf = "quarantine" if refused else "archive"
    target = work / shelf / f"{taken.reception:%Y-%m-%d}" / taken.ticket
    private_dir(target.parent)
    taken.directory.rename(target)
    taken.release()
    (target / LOCK_FILE).unlink(missing_ok=True)  # out of the claims folder, nobody looks for it
    return target
