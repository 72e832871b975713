"""The claim: a submission's files taken out of the inbox, and crash recovery of claims.

Claiming moves a submission's files out of the inbox into a claim folder under the work folder,
which may lie on another file system than the inbox, or than a sender folder that is a bind mount
(SPEC 1). It is made in four steps, and whatever step a process dies in (or the power is cut in),
the next run finishes the claim or undoes it (`orphaned_claims`):

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

A process that dies leaves a claim folder whose lock is free. Recovery reads its record and: when
files are in the claim folder, finishes step 4; when the first file is in the spot, takes what is
still in the inbox and goes on from step 3; otherwise nothing was taken, and the spot and the claim
folder are removed. A record that cannot be read (a power cut before a version that flushed it,
a damaged disk) never leads to deleting a sender's file: the claim is rebuilt from the names of the
files in its folder (its ticket is the folder's name; where and when it was received come from the
store when the store has the ticket, else from the sender folder its names point to and the
current reception time), logged as a warning naming the folder, and answered like any other.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import structlog

from flexibatch.channel.inbox import Drop, InboxView, incomplete, sort_out, still_ready
from flexibatch.channel.names import ChannelName, parse_name, safe_name
from flexibatch.domain.anomalies import Diagnostic
from flexibatch.errors import ChannelError
from flexibatch.files import copy_durably, flush_to_disk, open_private, private_dir, write_durably

log = structlog.get_logger()

CLAIM_FILE = "claim.json"
LOCK_FILE = ".lock"
#: The hidden folder beside a sender's files that holds them while they are claimed (step 2).
SPOT_PREFIX = ".flexibatch-"
_STAGING_PREFIX = ".new-"
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
            "spot": None if self.spot is None else str(self.spot),
        }
        write_durably(directory / CLAIM_FILE, json.dumps(record, indent=1).encode("utf-8"))


def _recorded(directory: Path, lock: IO[str]) -> Claim | None:
    """The claim its record describes; None when the record is missing or cannot be read."""
    try:
        record = json.loads((directory / CLAIM_FILE).read_text(encoding="utf-8"))
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
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True, slots=True)
class Recovery:
    """What rebuilding a claim whose record cannot be read needs from the rest of the channel."""

    inbox: Path
    #: The business clock, for a reception time nobody recorded.
    now: Callable[[], datetime]
    #: Where (sender folder) and when a ticket the store holds was received; None for another.
    received: Callable[[str], tuple[str | None, datetime] | None]


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
    staging = root / f"{_STAGING_PREFIX}{ticket}"
    staging.mkdir(mode=0o700)
    lock = _lock(staging)
    assert lock is not None, "a fresh claim folder is not locked by anyone else"
    taken = Claim(
        ticket=ticket,
        directory=root / ticket,
        folder=first.folder,
        reception=reception,
        kind=kind,
        files=[drop.name for drop in drops],
        sources=[str(drop.path) for drop in drops],
        diagnostics=_as_records(diagnostics or []),
        lock=lock,
        spot=first.path.parent / f"{SPOT_PREFIX}{ticket}",
    )
    taken._save(staging)  # step 1: the record, on disk before any file moves
    staging.rename(taken.directory)
    flush_to_disk(root)
    assert taken.spot is not None
    try:
        taken.spot.mkdir(mode=0o700)
        first.path.rename(taken.spot / first.name)  # step 2: the atomic step
    except FileNotFoundError:  # another process renamed it first: undo, still holding the lock
        _abandon(taken)
        return None
    except OSError:  # an inbox folder we may not write in: nothing was taken, leave no claim behind
        _abandon(taken)
        raise
    return taken if _carry_on(taken) else None


def _as_records(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    return [
        {"code": d.code, "message": d.message, "line": d.line, "column": d.column, "path": d.path}
        for d in diagnostics
    ]


def _carry_on(taken: Claim) -> bool:
    """Steps 2 to 4 of a claim that owns its first file; False when its files were put back."""
    assert taken.spot is not None
    spot = taken.spot
    if not any(os.path.lexists(taken.directory / name) for name in taken.files):
        for name, source in zip(taken.files, taken.sources, strict=True):
            if not os.path.lexists(spot / name):  # never over a file already taken
                _take(Path(source), spot / name)
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


def _take(source: Path, target: Path) -> None:
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
    _return_all(taken, present)


def _return_all(taken: Claim, held: list[str]) -> None:
    """The files held in the spot back where they were, the first one last; the claim removed."""
    assert taken.spot is not None
    sources = dict(zip(taken.files, taken.sources, strict=True))
    for name in reversed(held):
        _put(taken.spot / name, Path(sources[name]))
    _abandon(taken)


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


def _abandon(taken: Claim) -> None:
    """Remove a claim that took nothing: its (empty) spot and its claim folder."""
    if taken.spot is not None and os.path.lexists(taken.spot):
        taken.spot.rmdir()
    _discard(taken.directory)
    taken.release()


def _sender_files(directory: Path) -> list[str]:
    """What a claim folder holds of a sender's: files and links, not named like the claim's own."""
    with os.scandir(directory) as listing:
        return sorted(
            entry.name
            for entry in listing
            if not entry.name.startswith(".")
            and entry.name not in _OUR_FILES
            and not entry.is_dir(follow_symlinks=False)
        )


def _discard(directory: Path) -> None:
    """Remove a claim folder that holds nothing of a sender's; one that does is never removed."""
    try:
        kept = _sender_files(directory)
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


def orphaned_claims(work: Path, recovery: Recovery, stale_seconds: float = 3600.0) -> Iterator[Claim]:
    """Claim folders no live process holds: their processor died. Each comes back locked, its
    record read or rebuilt; `resume` then finishes the move of its files, apart from this walk so
    that a file that cannot be moved is that claim's failure alone."""
    try:
        root = claims_dir(work)
        directories = sorted(root.iterdir())
    except OSError as exc:
        raise ChannelError(f"the work folder {work} cannot be used: {exc.strerror or exc}") from exc
    for directory in directories:
        if not directory.is_dir():
            continue
        if directory.name.startswith(_STAGING_PREFIX):
            with contextlib.suppress(FileNotFoundError):  # renamed into place meanwhile
                if time.time() - directory.stat().st_mtime > stale_seconds and (lock := _lock(directory)):
                    _discard(directory)  # prepared, never renamed: no file ever left the inbox for it
                    lock.close()
            continue
        lock = _lock(directory)
        if lock is None:
            continue
        taken = _recorded(directory, lock)
        if taken is None:
            if (rebuilt := _rebuilt(directory, lock, recovery)) is not None:
                yield rebuilt
        else:
            yield taken


def resume(taken: Claim) -> bool:
    """Go on with a claim from where its process died; False when it took nothing (removed)."""
    here, first = taken.directory, taken.files[0]
    if taken.spot is None:  # rebuilt, or claimed by a version without spot: files moved straight in
        if not os.path.lexists(here / first):
            _abandon(taken)  # died before owning the first file: nothing was taken
            return False
        for name, source in zip(taken.files[1:], taken.sources[1:], strict=True):
            if not os.path.lexists(here / name):
                _take(Path(source), here / name)
        return True
    spot = taken.spot
    if os.path.lexists(spot / first) or any(os.path.lexists(here / name) for name in taken.files):
        return _carry_on(taken)
    # Died before owning the first file, or while putting files back (the first goes back last).
    _return_all(taken, [name for name in taken.files if os.path.lexists(spot / name)])
    return False


def _rebuilt(directory: Path, lock: IO[str], recovery: Recovery) -> Claim | None:
    """A claim whose record cannot be read, made again from the names of the sender's files in it;
    None when it holds none (then it is removed) or when they are not one submission (kept)."""
    try:
        names = _sender_files(directory)
    except FileNotFoundError:
        names = []  # filed away by its owner just before we locked it
    if not names:
        # What a process that lost the race for a file left while undoing its claim.
        _discard(directory)
        lock.close()
        return None
    drops = []
    for name in names:
        path = directory / name
        stat = path.lstat()
        drops.append(Drop(path, None, stat.st_size, stat.st_mtime, path.is_symlink()))
    view = sort_out(drops, math.inf, 0.0, 0.0)  # nothing waits: an incomplete submission is ACRF-130
    jobs = claim_jobs(view)
    if len(jobs) != 1 or len(jobs[0][0]) != len(names):
        log.error(
            "claim record unreadable and its files are not one submission: left for the operator",
            folder=str(directory),
            files=[safe_name(name) for name in names],
        )
        lock.close()
        return None
    found, kind, problems = jobs[0]
    files = [drop.name for drop in found]
    parsed = parse_name(files[0])
    sender = parsed.key.sender if isinstance(parsed, ChannelName) else None
    known = recovery.received(directory.name)
    if known is not None:
        folder, reception = known
    else:
        folder = sender if sender is not None and (recovery.inbox / sender).is_dir() else None
        reception = recovery.now()
    place = recovery.inbox / folder if folder else recovery.inbox
    taken = Claim(
        ticket=directory.name,
        directory=directory,
        folder=folder,
        reception=reception,
        kind=kind,
        files=files,
        sources=[str(place / name) for name in files],
        diagnostics=_as_records(problems),
        lock=lock,
    )
    log.warning(
        "claim record unreadable: claim rebuilt from the files in its folder",
        folder=str(directory),
        files=[safe_name(name) for name in files],
        kind=kind,
        answered_before=known is not None,
    )
    taken._save(directory)
    return taken


def file_away(taken: Claim, work: Path, refused: bool) -> Path:
    """Move a finished claim to the archive (accepted) or to quarantine (refused)."""
    shelf = "quarantine" if refused else "archive"
    target = work / shelf / f"{taken.reception:%Y-%m-%d}" / taken.ticket
    private_dir(target.parent)
    taken.directory.rename(target)
    taken.release()
    (target / LOCK_FILE).unlink(missing_ok=True)  # out of the claims folder, nobody looks for it
    return target
