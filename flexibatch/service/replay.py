"""`flexibatch replay TICKET` (SPEC 10): a submission processed again, the earlier answers kept.

A submission refused as a whole (reference data not loaded yet, ACRF-190 for every sender), or one
the processor gave up before it was decided, is copied from its quarantine folder into a new claim
with a new file ticket and the current reception time, and decided like a new arrival: its answers
take the next free suffix (`.2`), the quarantine folder and the first answers stay as they were.
One the processor gave up after it was decided (its answers could not all be published) keeps its
ticket: its folder goes back into `claims/` and only what was not published is published.

A submission whose receipt was positive is never decided twice: its declarations are in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flexibatch.channel.claims import (
    LOCK_FILE,
    SHELVES,
    STAGING_PREFIX,
    Claim,
    as_records,
    claims_dir,
    lock_folder,
    read_record,
    sender_files,
    take,
)
from flexibatch.channel.recovery import one_job
from flexibatch.domain.results import SubmissionOutcome
from flexibatch.errors import ChannelError, ConfigError, NotFound
from flexibatch.files import copy_durably, flush_to_disk
from flexibatch.service.failures import FINISH, REASON_FILE
from flexibatch.service.run import Outcome, Processor


def filed(work: Path, ticket: str) -> Path | None:
    """The archive or quarantine folder of a ticket, if its files are still there."""
    for shelf in SHELVES:
        for found in sorted((work / shelf).glob(f"*/{ticket}")):
            if found.is_dir():
                return found
    return None


@dataclass(frozen=True, slots=True)
class Replayed:
    """What replaying a ticket did: the new ticket (the same when only finished) and its outcome."""

    ticket: str
    outcome: Outcome | None


def replay(processor: Processor, ticket: str) -> Replayed:
    store, work = processor.store, processor.work
    record = store.submissions.by_ticket(ticket)
    folder = filed(work, ticket)
    given_up = folder is not None and (folder / REASON_FILE).exists()
    if record is None and not given_up:
        raise NotFound(
            f"no submission with the ticket {ticket} was refused or given up: see `flexibatch status`"
        )
    if record is not None and record.outcome is SubmissionOutcome.ACCEPTED and not given_up:
        raise ConfigError(
            f"the submission {ticket} was accepted: its declarations are in force and are never decided "
            "twice; the sender corrects them with a new file"
        )
    if folder is None:
        raise NotFound(f"the files of the submission {ticket} are no longer in the work folder (pruned)")
    if record is not None and given_up:  # decided, not all published: finish it under its ticket
        target = claims_dir(work) / ticket
        folder.rename(target)
        (target / REASON_FILE).unlink()  # finished now: no longer given up
        return Replayed(ticket, processor.finish(_locked(target)))
    copied = _copy_into_claim(folder, processor)
    store.failures.forget(FINISH, ticket)
    return Replayed(copied.ticket, processor.finish(copied))


def _locked(directory: Path) -> Claim:
    lock = lock_folder(directory)
    if lock is None:
        raise ChannelError(f"the claim {directory} is held by another process")
    taken = read_record(directory, lock)
    if taken is None:
        lock.close()
        raise ChannelError(f"the claim record in {directory} cannot be read")
    taken.spot = None  # its files are all here: nothing is left to take from the inbox
    taken._save(directory)
    return taken


def _copy_into_claim(folder: Path, processor: Processor) -> Claim:
    """A new claim holding copies of the files of `folder`: first hidden in its staging folder,
    which is renamed into `claims/` with its record, then each given its name there (a cut at any
    point leaves a claim that recovery finishes or removes, and the quarantined files untouched)."""
    lock = lock_folder(folder)
    if lock is None:
        raise ChannelError(f"the submission in {folder} is being replayed by another process")
    try:
        earlier = read_record(folder, lock)
        names = earlier.files if earlier is not None else sender_files(folder)
        job = one_job(folder, names)
        if job is None:
            raise ChannelError(f"the files in {folder} are not one submission: replay them by hand")
        drops, kind, problems = job
        ticket = processor.new_ticket()
        root = claims_dir(processor.work)
        staging, directory = root / f"{STAGING_PREFIX}{ticket}", root / ticket
        staging.mkdir(mode=0o700)
        claim_lock = lock_folder(staging)
        assert claim_lock is not None, "a fresh claim folder is not locked by anyone else"
        files = [drop.name for drop in drops]
        for name in files:
            copy_durably(folder / name, staging / f".{name}.replay")
        taken = Claim(
            ticket=ticket,
            directory=directory,
            folder=earlier.folder if earlier is not None else None,
            reception=processor.settings.business_now(),
            kind=kind,
            files=files,
            sources=[str(directory / f".{name}.replay") for name in files],
            diagnostics=as_records(problems),
            lock=claim_lock,
        )
        taken._save(staging)
        flush_to_disk(staging)
        staging.rename(directory)
        flush_to_disk(root)
        for name, source in zip(files, taken.sources, strict=True):
            take(Path(source), directory / name)
        flush_to_disk(directory)
        return taken
    finally:
        lock.close()
        (folder / LOCK_FILE).unlink(missing_ok=True)
