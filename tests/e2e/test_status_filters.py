"""`status --sender/--since/--outcome` narrow the list an operator reads, text and --json alike."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import flexibatch


def shown(root: Path, *args: str) -> list[dict[str, str]]:
    result = flexibatch(root, "status", "--json", *args)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout)["submissions"])


def test_status_filters_by_sender_day_and_outcome(installed: Path) -> None:
    assert flexibatch(installed, "run").returncode == 0
    everything = shown(installed)

    assert shown(installed, "--sender", "654321") == [r for r in everything if r["sender"] == "654321"]
    assert {r["sender"] for r in everything} > {"654321"}, "the filter left others out"
    refused = shown(installed, "--outcome", "REFUSED")
    assert refused and refused == [r for r in everything if r["outcome"] == "REFUSED"]
    assert all(r["receipt"] == "REFUSED" for r in refused)
    assert shown(installed, "--since", "2026-06-24") == everything, "all received on the 24th"
    assert shown(installed, "--since", "2026-06-25") == []
    text = flexibatch(installed, "status", "--outcome", "PARTLY_REFUSED")
    partly = [r for r in everything if r["outcome"] == "PARTLY_REFUSED"]
    assert partly, "the samples hold a file with some declarations refused"
    assert all(r["ticket"] in text.stdout for r in partly)
    assert all(r["ticket"] not in text.stdout for r in everything if r not in partly)


def test_a_filter_written_wrong_is_a_usage_error(installed: Path) -> None:
    for args in (["--sender", "12345"], ["--since", "24/06/2026"], ["--outcome", "OK"]):
        result = flexibatch(installed, "status", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
