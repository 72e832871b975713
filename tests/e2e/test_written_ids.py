"""`worker` and `employer` take numbers as people write them, and refuse a number that fails its check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import flexibatch, one_sentence


@pytest.fixture
def answered(installed: Path) -> Path:
    assert flexibatch(installed, "run").returncode == 0
    return installed


@pytest.mark.parametrize("written", ["80.11.14-051.25", "801114 051 25", "80111405125"])
def test_a_worker_is_found_however_the_insz_is_written(answered: Path, written: str) -> None:
    plain = json.loads(flexibatch(answered, "worker", "80111405125", "--json").stdout)
    shown = flexibatch(answered, "worker", written, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == plain
    assert plain["insz"] == "80111405125"


@pytest.mark.parametrize("written", ["85.03.12-123.63", "8503121236", "85.03.12-123.6X"])
def test_an_insz_whose_check_fails_is_a_usage_error_not_an_unknown_worker(
    answered: Path, written: str
) -> None:
    result = flexibatch(answered, "worker", written)
    one_sentence(result, 2, "not a valid INSZ", written)
    assert not result.stdout, "no margin shown for a number that names nobody"


@pytest.mark.parametrize("written", ["BE 0400767772", "0400.767.772", "175110801", "BE0400.767.772"])
def test_an_employer_is_found_however_its_number_is_written(answered: Path, written: str) -> None:
    shown = flexibatch(answered, "employer", written, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["employer"]["noss"] == "175110801"


@pytest.mark.parametrize("written", ["0123.456.789", "BE 0400767773", "175110802", "ACME"])
def test_an_employer_number_whose_check_fails_is_refused_in_one_sentence(
    answered: Path, written: str
) -> None:
    one_sentence(flexibatch(answered, "employer", written), 2, "neither an RSZ number", written)
