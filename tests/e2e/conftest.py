"""An installation the e2e tests start from, set up through the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.channel import SAMPLES
from support.cli import flexibatch


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """The sample reference data loaded and a copy of the sample inbox, not yet run."""
    shutil.copytree(SAMPLES / "inbox", tmp_path / "inbox", copy_function=shutil.copy)  # fresh mtimes
    loaded = flexibatch(tmp_path, "refdata", "load", str(SAMPLES / "refdata"))
    assert loaded.returncode == 0, loaded.stderr
    return tmp_path
