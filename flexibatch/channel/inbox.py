"""SPEC 1: what is in the inbox and what is ready to be claimed.

A scan decides everything from what is on disk; filesystem events only make scans happen sooner.
A submission is ready when its GO file and all its FI parts are present: nothing is read before.

Taking a submission's files out of the inbox is `channel/claims.py`'s: four steps (a flushed record;
ownership by a rename into a hidden spot beside the files, in the inbox's own file system; readiness
checked again there; the move, or a flushed copy across file systems, into the claim folder), each of
which a crash leaves in a state the next run finishes. Its docstring and docs/architecture.md
"Crash safety" tell the protocol. The spots' names start with `.`, so a scan ignores them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from flexibatch.channel.names import (
    PURPOSES,
    ChannelName,
    Role,
    SubmissionKey,
    is_in_progress,
    parse_name,
)
from flexibatch.domain.anomalies import N_, Diagnostic, diagnostic
from flexibatch.errors import ChannelError

log = structlog.get_logger()

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

    def add(self, parsed: ChannelName, drop: Drop) -> None:
        if parsed.role is Role.TRIGGER:
            if self.trigger is not None:  # a second GO of another parts count: consumed with it
                self.signatures.append((parsed, drop))
            else:
                self.trigger = (parsed, drop)
        elif parsed.role is Role.DATA:
            self.data.append((parsed, drop))
        else:
            self.signatures.append((parsed, drop))

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
                    continue  # an upload in progress, or a spot holding files being claimed
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
    try:
        return sort_out(_entries(inbox), now, settle_seconds, go_timeout_seconds)
    except OSError as exc:  # the inbox vanished or cannot be listed since the command checked it
        raise ChannelError(f"the inbox {inbox} cannot be read: {exc.strerror or exc}") from exc


def sort_out(
    drops: Iterable[Drop], now: float, settle_seconds: float, go_timeout_seconds: float
) -> InboxView:
    """Group files into submissions and sort them: ready, waiting, timed out, foreign."""
    view = InboxView()
    pending: dict[tuple[str | None, SubmissionKey], Pending] = {}
    for drop in drops:
        parsed = parse_name(drop.name)
        if not isinstance(parsed, ChannelName):
            if now - drop.mtime < settle_seconds:
                continue  # answered once it has stopped changing
            if drop.is_link:
                parsed = [
                    diagnostic("ACRF-901", N_("A link is not accepted in the inbox: drop the file itself."))
                ]
            view.foreign.append((drop, parsed))
            continue
        pending.setdefault((drop.folder, parsed.key), Pending(drop.folder, parsed.key)).add(parsed, drop)
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


def incomplete(group: Pending) -> Diagnostic:
    """The ACRF-130 of a submission still incomplete after the GO timeout."""
    if group.trigger is None:
        return diagnostic(
            "ACRF-130", N_("The submission is incomplete after the GO timeout: its GO file did not arrive.")
        )
    return diagnostic(
        "ACRF-130", N_("The submission is incomplete after the GO timeout: some of its parts did not arrive.")
    )


def still_ready(names: list[str]) -> bool:
    """Whether these names, all of one submission, make it ready (the check of claim step 3)."""
    group: Pending | None = None
    for name in names:
        parsed = parse_name(name)
        if isinstance(parsed, ChannelName):
            group = group or Pending(None, parsed.key)
            group.add(parsed, Drop(Path(name), None, 0, 0.0, is_link=False))
    return group is not None and group.ready
