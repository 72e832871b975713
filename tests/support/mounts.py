"""Real mounts for tests, undone when their block ends (the tests run as root): another file
system (a tmpfs, a bind mount of one: the layout an SFTP server with one chrooted account per
sender produces) and real faults (mode bits stop no write for root; a read-only bind mount does,
and a tiny tmpfs fills up)."""

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
def tmpfs(folder: Path, size: str = "64m") -> Iterator[Path]:
    """A tmpfs of `size` (`4k`, `1m`) mounted on `folder` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", folder)
    try:
        yield folder
    finally:
        _unmount(folder)


@contextmanager
def bound(source: Path, at: Path) -> Iterator[Path]:
    """`source` bind-mounted at `at` (made if missing)."""
    at.mkdir(parents=True, exist_ok=True)
    _mount("--bind", source, at)
    try:
        yield at
    finally:
        _unmount(at)


def device(path: Path) -> int:
    return path.stat().st_dev


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
