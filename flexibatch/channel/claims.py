"""The claim: a submission's files taken out of the inbox.

Claiming moves a submission's files out of the inbox into a claim folder under the work folder,
which may lie on another file system than the inbox, or than a sender folder that is a bind mount
(SPEC 1). It is made in four steps, and whatever step a process dies in (or the power is cut in),
the next run finishes the claim or undoes it (`channel/recovery.py`):

1. **The record.** `claims/.new-<ticket>/claim.json` (reception time, ticket, kind, the files and
   where they lie, the spot of step 2) is written and flushed to disk, the folder locked, flushed,
   renamed to `claims/<ticket>/`, and the claims folder flushed: the claim is on disk before any
   file moves.
2. **Ownership.** Beside the files, in their own inbox folder, the hidden spot
   `.flexibatch-<ticket>/` is made (a scan ignores names starting with `.`, SPEC 1.2) and the files
   are renamed into it, the first one (part 1, else the GO, else the file) first. That rename,
   within one file system, is the atomic step that makes one process the owner: a process that
   loses it removes its claim.
3. **Readiness again.** The scan may be stale: a submission is claimed only if its GO and all its
   parts are in the spot. When a part was withdrawn meanwhile, the files go back where they were
   (a hard link that never replaces a newer upload, then an unlink), the first one last, and the
   submission waits in the inbox again (and times out as ACRF-130).
4. **The move.** Each file is renamed from the spot into the claim folder; across file systems
   (EXDEV) it is copied to a hidden name there, flushed and renamed to its own name. Once the
   claim folder is flushed, the spot's copies are unlinked, the spot removed and its folder flushed.

Each file is so always in exactly one place that counts: the inbox (waiting), the spot (the claim's,
hidden) or the claim folder. A file both in the spot and under its own name in the claim folder is a
finished, flushed copy whose source was not unlinked yet; it is never two live copies.

A process that dies leaves a claim folder whose lock is free: `channel/recovery.py` finishes or
undoes it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import structlog

from flexibatch.channel.inbox import Drop, InboxView, incomplete, still_ready
from flexibatch.channel.names import SPOT_PREFIX, safe_name
from flexibatch.domain.anomalies import Diagnostic
from flexibatch.files import copy_durably, flush_to_disk, open_private, private_dir, write_durably

log = structlog.get_logger()

CLAIM_FILE = "claim.json"
LOCK_FILE = ".lock"
STAGING_PREFIX = ".new-"
#: Where finished claims are filed (`file_away`): `<work>/<shelf>/<date>/<ticket>/`.
SHELVES = ("archive", "quarantine")
_OUR_FILES = (CLAIM_FILE, CLAIM_FILE + ".tmp")


@dataclass(slots=True)
class Claim:
    """A submission (or a foreign file) taken out of the inbox, with everything needed to redo it."""

    ticket: str
    directory: Path
    folder: str | None
    reception: datetime
    kind: ClaimKind
    files: list[str]
    sources: list[str]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    lock: IO[str] | None = None
    #: Where the files wait between the ownership rename and the move (claim step 2); None in a
    #: claim rebuilt from its folder, or made before the spot existed: its files moved straight in.
    spot: Path | None = None

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
        return [
            Diagnostic(**{**item, "args": tuple(tuple(pair) for pair in item.get("args", ()))})
            for item in self.diagnostics
        ]

    def release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    def as_record(self) -> dict[str, Any]:
        """What `claim.json` holds: everything but the folder it lies in and its lock."""
        return {
            "ticket": self.ticket,
            "folder": self.folder,
            "reception": self.reception.isoformat(timespec="microseconds"),
            "kind": self.kind,
            "files": self.files,
            "sources": self.sources,
            "diagnostics": self.diagnostics,
            "spot": None if self.spot is None else str(self.spot),
        }

    def _save(self, directory: Path) -> None:
        write_durably(directory / CLAIM_FILE, json.dumps(self.as_record(), indent=1).encode("utf-8"))


def read_record(directory: Path, lock: IO[str]) -> Claim | None:
    """The claim its record describes; None when the record is missing or cannot be read."""
    try:
        record = json.loads((directory / CLAIM_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return from_record(record, directory, lock)


def from_record(record: Any, directory: Path, lock: IO[str] | None) -> Claim | None:
    """The claim a record (`Claim.as_record`) describes, in `directory`; None when it is not one."""
    try:
        files, sources, spot = record["files"], record["sources"], record.get("spot")
        if not (files and len(files) == len(sources) and all(isinstance(n, str) for n in files + sources)):
            return None
        return Claim(
            ticket=str(record["ticket"]),
            directory=directory,
            folder=record["folder"],
            reception=datetime.fromisoformat(record["reception"]),
            kind=ClaimKind(record["kind"]),
            files=files,
            sources=sources,
            diagnostics=list(record["diagnostics"]),
            lock=lock,
            spot=None if spot is None else Path(spot),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def lock_folder(directory: Path) -> IO[str] | None:
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


class ClaimKind(StrEnum):
    """What a claim holds, and so how it is answered."""

    #: A submission with its GO and every part: decided.
    SUBMISSION = "SUBMISSION"
    #: A file whose name is not one of the channel's (ACRF-901 and the like): refused as it is.
    FOREIGN = "FOREIGN"
    #: A submission still incomplete after the GO timeout: refused (ACRF-130).
    TIMEOUT = "TIMEOUT"


#: One claim to make: its files, its kind, the problems already found in them.
ClaimJob = tuple[list[Drop], ClaimKind, list[Diagnostic]]


def claim_jobs(view: InboxView) -> list[ClaimJob]:
    """What a scan found to claim, in the order it is taken: ready, timed out, foreign."""
    jobs: list[ClaimJob] = [([drop for _, drop in p.drops], ClaimKind.SUBMISSION, []) for p in view.ready]
    jobs += [([drop for _, drop in p.drops], ClaimKind.TIMEOUT, [incomplete(p)]) for p in view.timed_out]
    jobs += [([drop], ClaimKind.FOREIGN, problems) for drop, problems in view.foreign]
    return jobs


def claims_dir(work: Path) -> Path:
    return private_dir(work / "claims")


def claim(
    drops: list[Drop],
    work: Path,
    *,
    ticket: str,
    reception: datetime,
    kind: ClaimKind,
    diagnostics: list[Diagnostic] | None = None,
) -> Claim | None:
    """Take these files out of the inbox (steps 1-4 above); None when another process took the
    first one first, or when the submission is no longer ready (a part was withdrawn)."""
    root = claims_dir(work)
    first = drops[0]
    assert all(drop.path.parent == first.path.parent for drop in drops), "one submission, one folder"
    staging = root / f"{STAGING_PREFIX}{ticket}"
    staging.mkdir(mode=0o700)
    lock = lock_folder(staging)
    assert lock is not None, "a fresh claim folder is not locked by anyone else"
    taken = Claim(
        ticket=ticket,
        directory=root / ticket,
        folder=first.folder,
        reception=reception,
        kind=kind,
        files=[drop.name for drop in drops],
        sources=[str(drop.path) for drop in drops],
        diagnostics=as_records(diagnostics or []),
        lock=lock,
        spot=first.path.parent / f"{SPOT_PREFIX}{ticket}",
    )
    try:
        taken._save(staging)  # step 1: the record, on disk before any file moves
        staging.rename(taken.directory)
        flush_to_disk(root)
    except BaseException:  # a full work disk: nothing was taken, leave no claim behind
        discard(staging if staging.exists() else taken.directory)
        taken.release()
        raise
    assert taken.spot is not None
    try:
        taken.spot.mkdir(mode=0o700)
        first.path.rename(taken.spot / first.name)  # step 2: the atomic step
    except FileNotFoundError:  # another process renamed it first: undo, still holding the lock
        abandon(taken)
        return None
    except OSError:  # an inbox folder we may not write in: nothing was taken, leave no claim behind
        abandon(taken)
        raise
    return taken if carry_on(taken) else None


def as_records(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "message": d.message,
            "line": d.line,
            "column": d.column,
            "path": d.path,
            "args": [list(pair) for pair in d.args],
        }
        for d in diagnostics
    ]


def carry_on(taken: Claim) -> bool:
    """Steps 2 to 4 of a claim that owns its first file; False when its files were put back."""
    assert taken.spot is not None
    spot = taken.spot
    if not any(os.path.lexists(taken.directory / name) for name in taken.files):
        for name, source in zip(taken.files, taken.sources, strict=True):
            if not os.path.lexists(spot / name):  # never over a file already taken
                take(Path(source), spot / name)
            elif _same_file(spot / name, Path(source)):  # linked back by a put-back cut short
                Path(source).unlink()
        present = [name for name in taken.files if os.path.lexists(spot / name)]
        if taken.kind == ClaimKind.SUBMISSION and not still_ready(present):
            _put_back(taken, present)
            return False
        if present != taken.files:  # a signature or a second GO withdrawn: not part of the claim
            kept = [taken.files.index(name) for name in present]
            taken.files = present
            taken.sources = [taken.sources[index] for index in kept]
            taken._save(taken.directory)
    _move_in(taken.files, spot, taken.directory)
    return True


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samestat(one.lstat(), other.lstat())
    except FileNotFoundError:
        return False


def take(source: Path, target: Path) -> None:
    with contextlib.suppress(FileNotFoundError):  # withdrawn by the sender, or taken before a crash
        source.rename(target)


def _move_in(names: list[str], spot: Path, directory: Path) -> None:
    """Step 4: the files from the spot into the claim folder, renamed, or copied across file systems."""
    for name in names:
        source, target = spot / name, directory / name
        if not os.path.lexists(source):
            continue  # moved before a crash
        if os.path.lexists(target):
            continue  # copied before a crash, its source not unlinked yet: that is done below
        try:
            source.rename(target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            copy_durably(source, target)
    flush_to_disk(directory)  # the copies are in the claim folder: their sources can go
    for name in names:
        (spot / name).unlink(missing_ok=True)
    with contextlib.suppress(FileNotFoundError):
        spot.rmdir()
    flush_to_disk(spot.parent)


def _put_back(taken: Claim, present: list[str]) -> None:
    """Step 3 failed: the submission is no longer ready, its files go back to the inbox."""
    log.info(
        "submission no longer complete when claimed: left in the inbox",
        file=taken.file_name,
        folder=taken.folder,
        files=[safe_name(name) for name in present],
    )
    return_all(taken, present)


def return_all(taken: Claim, held: list[str]) -> None:
    """The files held in the spot back where they were, the first one last; the claim removed."""
    assert taken.spot is not None
    sources = dict(zip(taken.files, taken.sources, strict=True))
    for name in reversed(held):
        _put(taken.spot / name, Path(sources[name]))
    abandon(taken)


def _put(held: Path, source: Path) -> None:
    """A file back where the sender dropped it, never over a newer upload of the same name."""
    try:
        os.link(held, source, follow_symlinks=False)
    except FileExistsError:
        if not _same_file(held, source):
            log.warning(
                "a withdrawn file was uploaded again meanwhile: the new upload is kept", file=str(source)
            )
    except OSError:  # a file system without hard links
        if os.path.lexists(source):
            raise
        held.rename(source)
        return
    held.unlink()


def abandon(taken: Claim) -> None:
    """Remove a claim that took nothing: its (empty) spot and its claim folder."""
    if taken.spot is not None and os.path.lexists(taken.spot):
        taken.spot.rmdir()
    discard(taken.directory)
    taken.release()


def sender_files(directory: Path) -> list[str]:
    """What a claim folder holds of a sender's: files and links, not named like the claim's own."""
    with os.scandir(directory) as listing:
        return sorted(
            entry.name
            for entry in listing
            if not entry.name.startswith(".")
            and entry.name not in _OUR_FILES
            and not entry.is_dir(follow_symlinks=False)
        )


def discard(directory: Path) -> None:
    """Remove a claim folder that holds nothing of a sender's; one that does is never removed."""
    try:
        kept = sender_files(directory)
    except FileNotFoundError:
        return
    if kept:
        log.error(
            "claim folder kept: it holds a sender's files",
            folder=str(directory),
            files=[safe_name(name) for name in kept],
        )
        return
    (directory / CLAIM_FILE).unlink(missing_ok=True)  # first: a folder without record is nobody's
    shutil.rmtree(directory, ignore_errors=True)


def file_away(taken: Claim, work: Path, refused: bool) -> Path:
    """Move a finished claim to the archive (accepted) or to quarantine (refused)."""
    shelf = "quarantine" if refused else "archive"
    target = work / shelf / f"{taken.reception:%Y-%m-%d}" / taken.ticket
    private_dir(target.parent)
    taken.directory.rename(target)
    taken.release()
    (target / LOCK_FILE).unlink(missing_ok=True)  # out of the claims folder, nobody looks for it
    return target
