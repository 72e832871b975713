"""The purpose registry (service/purposes.py) serves every purpose a file name may carry."""

from __future__ import annotations

from flexibatch.channel.names import PURPOSES as NAMED
from flexibatch.service.purposes import PURPOSES


def test_every_purpose_a_name_may_carry_has_its_readers_and_decider() -> None:
    assert sorted(PURPOSES) == sorted(NAMED)
    assert all(code == purpose.code for code, purpose in PURPOSES.items())


def test_each_reader_locates_its_own_anomalies() -> None:
    dimona, flexi = PURPOSES["DIMN"], PURPOSES["FLEX"]
    assert dimona.format(as_xml=True).locate("Person/INSS", 2) == "/Dimona/Form[2]/Person/INSS"
    assert flexi.format(as_xml=True).locate("Debtor/NOSS", 1) == "/FLXWAGE/Form[1]/Debtor/NOSS"
    assert dimona.format(as_xml=False).locate is not dimona.format(as_xml=True).locate
    assert flexi.format(as_xml=False).locate is not flexi.format(as_xml=True).locate
