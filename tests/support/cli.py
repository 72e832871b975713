"""A flexibatch installation in a temporary folder, driven through the real CLI in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flexibatch.domain.ids import insz_is_valid
from support.builders import dimona, dimona_in
from support.channel import SAMPLES

FORMS = 4000
NOW = "2026-06-24T11:50:00"


def workers(count: int) -> list[str]:
    """Distinct valid INSZ numbers, so every IN of the big file is accepted."""
    found = []
    serial = 1
    while len(found) < count:
        base = f"8501{(serial // 998) % 28 + 1:02d}{serial % 998 + 1:03d}"
        number = base + f"{97 - int(base) % 97:02d}"
        if insz_is_valid(number):
            found.append(number)
        serial += 1
    return found


def _installation(root: Path) -> dict[str, str]:
    """The settings of the installation in `root`, as their environment twins."""
    return {
        "FLEXIBATCH_STATE": str(root / "state.db"),
        "FLEXIBATCH_INBOX": str(root / "inbox"),
        "FLEXIBATCH_OUTBOX": str(root / "outbox"),
        "FLEXIBATCH_NOW": NOW,
    }


def cli_env(root: Path) -> dict[str, str]:
    """The test's own environment (a test may set more FLEXIBATCH_ twins), the installation's over it."""
    return {**os.environ, **_installation(root)}


def installation_env(root: Path, **env: str) -> dict[str, str]:
    """The environment of a command of the installation in `root`: its settings' twins only (none
    inherited from the test's own environment); `env` adds or replaces some."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FLEXIBATCH_")}
    return {**clean, **_installation(root), **env}


def flexibatch(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m flexibatch ARGS` in `root`, to its end, configured by its environment twins only
    (none inherited from the test's own environment); `env` adds or replaces some."""
    return subprocess.run(
        [sys.executable, "-m", "flexibatch", *args],
        env=installation_env(root, **env),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_sentence(result: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """The one line a failed command prints (never a traceback), after checking its exit status and
    that it holds `words`."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def cli(root: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """`python -m flexibatch ARGS` started in `root`, its output appended to `flexibatch.log`."""
    with (root / "flexibatch.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flexibatch", *args],
            env={**cli_env(root), **env},
            cwd=root,
            stdout=log,
            stderr=log,
        )


def install_with_two_submissions(root: Path) -> None:
    """Sample reference data, a big submission (FORMS one-day INs) and a one-declaration one, ready."""
    (root / "inbox" / "123456").mkdir(parents=True)
    (root / "outbox").mkdir()
    assert cli(root, "refdata", "load", str(SAMPLES / "refdata")).wait() == 0
    big = dimona(*(dimona_in(insz=insz, reference=f"R{i}") for i, insz in enumerate(workers(FORMS))))
    (root / "inbox" / "123456" / "FI.DIMN.123456.20260624.00001.R.1.1.xml").write_bytes(big)
    (root / "inbox" / "123456" / "GO.DIMN.123456.20260624.00001.R.1").write_bytes(b"")
    small = dimona(dimona_in(insz="93051822361"))
    (root / "inbox" / "123456" / "FI.DIMN.123456.20260624.00002.R.1.1.xml").write_bytes(small)
    (root / "inbox" / "123456" / "GO.DIMN.123456.20260624.00002.R.1").write_bytes(b"")


def json_lines(stderr: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]
