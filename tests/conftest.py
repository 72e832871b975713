from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.answers import validated
from support.channel import Channel


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Channel]:
    """A fresh installation: sample reference data, empty inbox and outbox, a new SQLite store.

    When the test ends, every answer it left in the outbox must be valid against its XSD.
    """
    installation = Channel(tmp_path)
    yield installation
    installation.close()
    for answer in installation.all_answers():
        if answer.name.startswith(("FO.ACRF", "FO.NOTI", "ERR.")) and not answer.name.endswith(".csv"):
            validated(answer)
