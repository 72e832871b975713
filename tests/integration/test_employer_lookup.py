"""`flexibatch employer ID` finds the employer however an operator writes its number."""

from __future__ import annotations

import pytest

from flexibatch.formats.refdata import read_refdata
from flexibatch.views import find_employer
from support.channel import SAMPLES


@pytest.mark.parametrize(
    "written", ["0400767772", "400767772", "0400.767.772", "BE0400767772", "be 0400 767 772"]
)
def test_an_employer_is_found_however_an_operator_writes_its_enterprise_number(written: str) -> None:
    assert find_employer(read_refdata(SAMPLES / "refdata"), written).noss == "175110801"
