"""Real mounts for tests that need another file system: a tmpfs, and a bind mount of one (the
layout an SFTP server with one chrooted account per sender produces). The tests run as root."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def tmpfs(at: Path, size: str = "64m") -> Iterator[Path]:
    """A fresh tmpfs mounted at `at` (made if missing), unmounted afterwards."""
    at.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(at))
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=True)


@contextmanager
def bound(source: Path, at: Path) -> Iterator[Path]:
    """`source` bind-mounted at `at` (made if missing), unmounted afterwards."""
    at.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(source), str(at))
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=True)


def device(path: Path) -> int:
    return path.stat().st_dev
