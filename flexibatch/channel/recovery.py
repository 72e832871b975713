"""Crash recovery of claims (`channel/claims.py` has the four steps of a claim).

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
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import structlog

from flexibatch.channel.claims import (
    STAGING_PREFIX,
    Claim,
    ClaimJob,
    abandon,
    as_records,
    carry_on,
    claim_jobs,
    claims_dir,
    discard,
    lock_folder,
    read_record,
    return_all,
    sender_files,
    take,
)
from flexibatch.channel.inbox import Drop, sort_out
from flexibatch.channel.names import ChannelName, parse_name, safe_name
from flexibatch.errors import ChannelError

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Recovery:
    """What rebuilding a claim whose record cannot be read needs from the rest of the channel."""

    inbox: Path
    #: The business clock, for a reception time nobody recorded.
    now: Callable[[], datetime]
    #: Where (sender folder) and when a ticket the store holds was received; None for another.
    received: Callable[[str], tuple[str | None, datetime] | None]


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
        if directory.name.startswith(STAGING_PREFIX):
            with contextlib.suppress(FileNotFoundError):  # renamed into place meanwhile
                if time.time() - directory.stat().st_mtime > stale_seconds and (
                    lock := lock_folder(directory)
                ):
                    discard(directory)  # prepared, never renamed: no file ever left the inbox for it
                    lock.close()
            continue
        lock = lock_folder(directory)
        if lock is None:
            continue
        taken = read_record(directory, lock)
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
            abandon(taken)  # died before owning the first file: nothing was taken
            return False
        for name, source in zip(taken.files[1:], taken.sources[1:], strict=True):
            if not os.path.lexists(here / name):
                take(Path(source), here / name)
        return True
    spot = taken.spot
    if os.path.lexists(spot / first) or any(os.path.lexists(here / name) for name in taken.files):
        return carry_on(taken)
    # Died before owning the first file, or while putting files back (the first goes back last).
    return_all(taken, [name for name in taken.files if os.path.lexists(spot / name)])
    return False


def one_job(directory: Path, names: list[str]) -> ClaimJob | None:
    """These files of a folder as the one job a scan would make of them with nothing left to wait
    for (an incomplete submission is ACRF-130); None when they are not one submission."""
    drops = []
    for name in names:
        path = directory / name
        stat = path.lstat()
        drops.append(Drop(path, None, stat.st_size, stat.st_mtime, path.is_symlink()))
    jobs = claim_jobs(sort_out(drops, math.inf, 0.0, 0.0))
    if len(jobs) != 1 or len(jobs[0][0]) != len(names):
        return None
    return jobs[0]


def _rebuilt(directory: Path, lock: IO[str], recovery: Recovery) -> Claim | None:
    """A claim whose record cannot be read, made again from the names of the sender's files in it;
    None when it holds none (then it is removed) or when they are not one submission (kept)."""
    try:
        names = sender_files(directory)
    except FileNotFoundError:
        names = []  # filed away by its owner just before we locked it
    if not names:
        # What a process that lost the race for a file left while undoing its claim.
        discard(directory)
        lock.close()
        return None
    job = one_job(directory, names)
    if job is None:
        log.error(
            "claim record unreadable and its files are not one submission: left for the operator",
            folder=str(directory),
            files=[safe_name(name) for name in names],
        )
        lock.close()
        return None
    found, kind, problems = job
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
        diagnostics=as_records(problems),
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
