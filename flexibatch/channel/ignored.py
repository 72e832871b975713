"""What the inbox holds that the channel will not read, for the operator to see.

A scan reads the files directly in `inbox_dir/` and in its 6-digit sender folders (SPEC 1). A sender
whose SFTP client makes a subfolder, or an upload left half done under a temporary name, would
otherwise wait for an answer that never comes: such entries are listed by `flexibatch status` and
said once in the log, until they change or go (`Mentions`). The channel's own claim spots are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import structlog

from flexibatch.channel.names import safe_name
from flexibatch.domain.anomalies import N_

log = structlog.get_logger()


class IgnoredKind(StrEnum):
    NOT_A_SENDER_FOLDER = "NOT_A_SENDER_FOLDER"
    SUBFOLDER = "SUBFOLDER"
    NOT_A_FILE = "NOT_A_FILE"
    UPLOAD_IN_PROGRESS = "UPLOAD_IN_PROGRESS"


#: Why each kind is not read, in one sentence for the operator (translated where it is printed).
REASONS = {
    IgnoredKind.NOT_A_SENDER_FOLDER: N_(
        "a folder whose name is not a 6-digit sender number: nothing in it is read"
    ),
    IgnoredKind.SUBFOLDER: N_(
        "a folder inside a sender folder: only the files directly in a sender folder are read"
    ),
    IgnoredKind.NOT_A_FILE: N_("neither a file nor a folder (a pipe, a socket or a device): never read"),
    IgnoredKind.UPLOAD_IN_PROGRESS: N_(
        "named as an upload in progress (a leading '.', or .filepart, .part, .tmp or ~ at the end) and "
        "unchanged for the settle time: read once renamed"
    ),
}


@dataclass(frozen=True, slots=True)
class Ignored:
    """An entry of the inbox the channel does not read: where, what, since when (its change time)."""

    folder: str | None
    name: str
    kind: IgnoredKind
    mtime: float

    @property
    def place(self) -> str:
        """`123456/upload/` or `notes.txt`: the entry as the operator finds it under the inbox, shown
        as answers show a name (`safe_name`), so a name's control characters never reach a terminal."""
        slash = "/" if self.kind in (IgnoredKind.NOT_A_SENDER_FOLDER, IgnoredKind.SUBFOLDER) else ""
        name = safe_name(self.name)
        return f"{self.folder}/{name}{slash}" if self.folder else f"{name}{slash}"

    @property
    def reason(self) -> str:
        return REASONS[self.kind]


class Mentions:
    """Says each ignored entry once: again only after it changed kind, or went and came back."""

    def __init__(self) -> None:
        self._said: set[tuple[str | None, str, IgnoredKind]] = set()

    def say(self, entries: Iterable[Ignored]) -> None:
        seen = {}
        for entry in entries:
            seen[(entry.folder, entry.name, entry.kind)] = entry
        for key in sorted(seen.keys() - self._said, key=str):
            entry = seen[key]
            log.warning(
                "inbox entry ignored",
                entry=entry.place,
                folder=entry.folder,
                kind=entry.kind,
                reason=entry.reason,
            )
        self._said = set(seen)
