"""SPEC 1.3: publishing answers so that no reader ever sees half a file.

Each answer is hard-linked (or, on another file system, copied) from its claim folder to a hidden
temporary name in the outbox, flushed to disk and renamed into place; then its empty `GO.` marker is
published the same way. Publishing again after a crash puts the same bytes under the same names, so
an answer is never doubled.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from flexibatch.channel.names import marker_name
from flexibatch.errors import ChannelError
from flexibatch.files import flush_to_disk, open_private

#: What an answer's file is given before it takes its name (its group and mode, channel/access.py).
Grant = Callable[[Path], None]


def _install(source: Path | None, target: Path, grant: Grant) -> None:
    if source is not None and _same_file(source, target):
        return  # linked and renamed before a crash (and renaming a link onto its twin does nothing)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)  # left by a crash
    if source is not None and _linked(source, temporary):
        flush_to_disk(source)  # already on disk since the commit: this costs nothing
    else:
        try:
            with open_private(temporary) as out:
                if source is not None:
                    with source.open("rb") as data:
                        shutil.copyfileobj(data, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            with contextlib.suppress(OSError):  # a full outbox: give back what the half copy took
                temporary.unlink(missing_ok=True)
            raise
    grant(temporary)
    temporary.replace(target)


def _same_file(source: Path, target: Path) -> bool:
    try:
        return target.samefile(source)
    except FileNotFoundError:
        return False


def _linked(source: Path, temporary: Path) -> bool:
    """A hard link to the answer in its claim folder: the same bytes without copying them (a
    million-declaration NOTI is 1.5 GB). The claim's answers are never written again once
    committed, the only time they are published. On another file system, a copy."""
    try:
        os.link(source, temporary, follow_symlinks=False)
    except OSError:
        return False
    return True


def publish(source: Path, folder: Path, name: str, *, with_marker: bool, grant: Grant) -> None:
    """Put one answer in place, then its GO marker when it completes the answer. An answer to
    inbox/123456/X goes to outbox/123456/, an answer to inbox/X to outbox/."""
    try:
        _install(source, folder / name, grant)
        if with_marker:
            _install(None, folder / marker_name(name), grant)
        flush_to_disk(folder)
    except OSError as exc:  # a full or read-only outbox: the submission's failure, tried again later
        raise ChannelError(f"{name} cannot be published in {folder}: {exc}") from exc
