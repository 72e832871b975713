"""After a backup of the state was copied back: the submissions answered since, recorded again.

A backup is the state as of one commit; the work folder and the outbox go on. Restored later,
the state lacks every submission answered after that commit, although the sender has its
answers and its files lie in `archive/` or `quarantine/`: the next numbers would be issued again
(a second period with the same id), and ACRF-133 and -134 would not know those names and bytes.

So before anything else, the first scan of a processor looks for filed submissions whose ticket
the state does not know (those given up before their commit, with `FAILED.txt`, are not lost but
waiting for the operator, and stay out of this). Each is decided again, in the order they were
received (then the order they were filed in), with its own ticket and reception time, on the
state as it was when it was first decided: the same decisions, the same numbers. Its answers keep
the names they were published under and are recorded as published, never sent again; an answer
that comes out different from the one the sender has is logged as an error. Only the days from
the newest reception the state knows are looked at, so a long archive costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import structlog

from flexibatch.channel.claims import CLAIM_FILE, SHELVES, Claim, claims_dir, lock_folder, read_record
from flexibatch.errors import ChannelError
from flexibatch.service.answers import ANSWERS, RESTORED
from flexibatch.service.failures import REASON_FILE
from flexibatch.store.ports import Store

log = structlog.get_logger()


def _order(folder: Path) -> tuple[str, int]:
    try:
        received = str(json.loads((folder / CLAIM_FILE).read_text("utf-8"))["reception"])
    except (OSError, ValueError, KeyError, TypeError):
        received = ""
    return received, folder.stat().st_ctime_ns


def lost(work: Path, store: Store) -> list[Path]:
    """The filed submissions the state does not know, in the order they were first decided."""
    newest = store.submissions.latest(1)
    since = f"{newest[0].reception_time:%Y-%m-%d}" if newest else ""
    found = []
    for shelf in SHELVES:
        for day in (work / shelf).glob("*"):
            if not day.is_dir() or day.name < since:
                continue
            for folder in day.iterdir():
                if (
                    folder.is_dir()
                    and not (folder / REASON_FILE).exists()
                    and (folder / CLAIM_FILE).exists()
                    and store.submissions.by_ticket(folder.name) is None
                ):
                    found.append(folder)
    return sorted(found, key=_order)


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*"))
        if path.is_file()
    }


def _set_aside(claim: Path) -> None:
    """The answers the sender got, out of the way of the new ones: they are the outbox's own files
    (hard links), which nothing may write into."""
    kept = claim / RESTORED
    kept.mkdir(mode=0o700, exist_ok=True)
    for path in sorted((claim / ANSWERS).glob("*")):
        path.rename(kept / path.name)


def _compare(shelved: Path, ticket: str) -> None:
    """The new answers against those the sender got: the same, the sender's are put back (the
    archive and the outbox stay one file); otherwise both are kept and the operator told."""
    kept, answers = shelved / RESTORED, shelved / ANSWERS
    before, now = _digests(kept), _digests(answers)
    if before == now:
        for name in before:
            (kept / name).replace(answers / name)
        kept.rmdir()
        return
    log.error(
        "a submission recorded again after a restore was decided otherwise than the sender was told",
        ticket=ticket,
        changed=sorted(n for n in before.keys() | now.keys() if before.get(n) != now.get(n)),
        told=str(kept),
    )


def record_again(work: Path, store: Store, finish: Callable[[Claim], object]) -> int:
    """Decide again every lost submission (see the module's docstring); how many there were."""
    folders = lost(work, store)
    for folder in folders:
        target = claims_dir(work) / folder.name
        folder.rename(target)
        _set_aside(target)
        lock = lock_folder(target)
        taken = read_record(target, lock) if lock is not None else None
        if taken is None:
            raise ChannelError(f"the claim record in {target} cannot be read: restore it by hand")
        taken.spot = None  # its files are all here: nothing is left to take from the inbox
        taken._save(target)
        log.warning(
            "submission answered after the state's backup: recorded again",
            ticket=taken.ticket,
            file=taken.file_name,
            folder=taken.folder,
        )
        finish(taken)
        shelved = next((p for s in SHELVES for p in (work / s).glob(f"*/{taken.ticket}")), None)
        if shelved is not None:  # else failed: kept in claims/ for the next run, as any failure
            _compare(shelved, taken.ticket)
    return len(folders)
