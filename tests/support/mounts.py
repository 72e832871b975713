"""Real faults of the file system for tests: we run as root, so mode bits stop no write; a
read-only bind mount does, and a tiny tmpfs fills up. Each mount is undone when its block ends."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _mount(*args: str | Path) -> None:
    subprocess.run(["mount", *map(str, args)], check=True, capture_output=True)


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "--lazy", str(folder)], check=False, capture_output=True)


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder` bind-mounted onto itself, read-only: its files can be read, not moved or written."""
    _mount("--bind", folder, folder)
    try:
        _mount("-o", "remount,bind,ro", folder)
        yield folder
    finally:
        _unmount(folder)


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (`4k`, `1m`) mounted on `folder` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", folder)
    try:
        yield folder
    finally:
        _unmount(folder)


def resize(folder: Path, size: str) -> None:
    """Give the tmpfs on `folder` another size: a full disk mended."""
    _mount("-o", f"remount,size={size}", folder)


def fill(folder: Path) -> Path:
    """Write into `folder` until its file system is full; return the file that filled it."""
    filler = folder / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):  # ENOSPC: full
            while True:
                os.write(handle, bytes(64 * 1024))
    finally:
        os.close(handle)
    return filler
