"""A long file's progress: each batch's line gives the bytes read of the total and the share, in
place (JSON off a terminal) and read ahead by a second process alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import FORMS, flexibatch, install_with_two_submissions, json_lines


@pytest.mark.parametrize("read_ahead", ["0", "1099511627776"], ids=["read-ahead", "in-place"])
def test_a_long_file_logs_its_progress_against_its_total(tmp_path: Path, read_ahead: str) -> None:
    install_with_two_submissions(tmp_path)
    settings = tmp_path / "flexibatch.toml"
    settings.write_text(f"batch_size = {FORMS // 8}\nread_ahead_bytes = {read_ahead}\n", encoding="utf-8")
    big = tmp_path / "inbox" / "123456" / "FI.DIMN.123456.20260624.00001.R.1.1.xml"
    size = big.stat().st_size

    result = flexibatch(tmp_path, "run", "--config", str(settings))

    assert result.returncode == 0, result.stderr
    lines = [e for e in json_lines(result.stderr) if e["event"] == "deciding"]
    assert len(lines) >= 7, "a line after every full batch"
    assert {e["total_bytes"] for e in lines} == {size}
    shares = [float(str(e["percent"])) for e in lines]
    read = [int(str(e["read_bytes"])) for e in lines]
    assert shares == sorted(shares) and 0 < shares[0] < 50 and shares[-1] <= 100
    assert read == sorted(read) and read[-1] <= size
    assert [e["declarations"] for e in lines] == [FORMS // 8 * (i + 1) for i in range(len(lines))]
