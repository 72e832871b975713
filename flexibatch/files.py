"""Files and folders the processor creates are the operator's alone (owner-only), whatever the umask."""

from __future__ import annotations

import os
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
