"""Files and folders the processor creates are the operator's alone (owner-only), whatever the umask."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any


def private_dir(path: Path) -> Path:
    """Create the folder (and any missing parent) with mode 0700."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


def open_private(path: Path, mode: str = "wb", **options: Any) -> IO[Any]:
    """Open a file for writing, creating it with mode 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, 0o600), mode, **options)


def write_private(path: Path, data: bytes) -> None:
    with open_private(path) as out:
        out.write(data)


def start_writing_back(handle: IO[Any]) -> None:
    """Ask the kernel to start writing what was written to `handle` to disk, without waiting, and
    to drop the pages once they are (Linux's POSIX_FADV_DONTNEED). A large answer is so on disk
    by the time `make_durable` asks, instead of its last gigabyte being written then while the
    processor waits (1 000 000 declarations write 1.5 GB of answers), and it does not push the
    rest of the machine out of the page cache."""
    if hasattr(os, "posix_fadvise"):  # Linux and most Unixes, not macOS
        handle.flush()
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def flush_to_disk(path: Path) -> None:
    """fsync a file or a folder (a folder: the names in it)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def make_durable(paths: Iterable[Path]) -> None:
    """The files, then the folders that name them, on disk: before a commit points at them, so that
    what a power cut leaves is either no record of them or the whole files."""
    folders = []
    for path in paths:
        flush_to_disk(path)
        if path.parent not in folders:
            folders.append(path.parent)
    for folder in folders:
        flush_to_disk(folder)


def write_durably(path: Path, data: bytes) -> None:
    """Write a file so that a power cut leaves it whole or not there at all, never empty or cut:
    under a temporary name, flushed, renamed into place, and its folder flushed."""
    temporary = path.with_name(path.name + ".tmp")
    with open_private(temporary) as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    flush_to_disk(path.parent)


def copy_durably(source: Path, target: Path) -> None:
    """Copy a file to `target`, on any file system, through a hidden temporary name beside it: the
    copy is flushed before it takes its name, so a file under `target`'s name is always whole. A
    link is copied as the link, never followed; the modification time is kept. Flushing the
    target's folder is the caller's, once for all the files it copies there."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)  # left by a crash
    if source.is_symlink():
        temporary.symlink_to(source.readlink())
    else:
        # Not blocking: a sender's FIFO reads as empty instead of hanging the processor.
        handle = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(handle, "rb") as data, open_private(temporary) as out:
            shutil.copyfileobj(data, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
            made = os.fstat(data.fileno())
        os.utime(temporary, ns=(made.st_atime_ns, made.st_mtime_ns))
    temporary.replace(target)
