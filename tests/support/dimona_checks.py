"""Sending Dimona declarations at a pinned reception time and checking what the NOTI says (SPEC 5, 7)."""

from __future__ import annotations

import itertools
from datetime import datetime

from support.answers import Decision
from support.builders import SENDER, dimona
from support.channel import Channel

#: The default business clock of the harness: the day before the default IN (25/06/2026 10:00-14:00).
NOW = datetime(2026, 6, 24, 11, 50)

_files = itertools.count(1)


def send(
    channel: Channel, *forms: str, now: datetime = NOW, env: str = "R", sender: str = SENDER
) -> list[Decision]:
    """Submit the forms as one file received at `now`; return their decisions in document order.

    The file is dated on the reception day (a later date would be ACRF-109) and ends with a comment
    of its own, so two files carrying the same declarations are not the same bytes (ACRF-134).
    """
    content = dimona(*forms) + f"<!-- file {next(_files)} -->\n".encode()
    return channel.decide(content, now=now, env=env, sender=sender, date=f"{now:%Y%m%d}")


def send_one(
    channel: Channel, form: str, *, now: datetime = NOW, env: str = "R", sender: str = SENDER
) -> Decision:
    (decision,) = send(channel, form, now=now, env=env, sender=sender)
    return decision


def assert_refused(decision: Decision, code: str) -> None:
    """Refused, with `code` among its anomalies as class B, and no impact (no period was touched)."""
    found = [a for a in decision.anomalies if a["ErrorID"] == code]
    assert found, f"expected {code}, the NOTI says {decision.anomalies}"
    assert [a["AnomalyClass"] for a in found] == ["B"], found
    assert not decision.accepted
    assert (decision.period_id, decision.before, decision.after) == (None, None, None)


def assert_accepted(decision: Decision, *warnings: str) -> None:
    """Accepted with exactly these NP warnings (none by default) and no other anomaly."""
    assert decision.accepted, f"refused: {decision.anomalies}"
    assert sorted(decision.codes) == sorted(warnings), decision.anomalies
    assert all(a["AnomalyClass"] == "NP" for a in decision.anomalies)
    assert decision.period_id is not None and decision.after is not None


def declare(channel: Channel, form: str, *, now: datetime = NOW, env: str = "R", sender: str = SENDER) -> str:
    """Send an IN that must be accepted; return the period id the processor issued for it."""
    decision = send_one(channel, form, now=now, env=env, sender=sender)
    assert decision.accepted, f"the IN was refused: {decision.anomalies}"
    assert decision.period_id is not None
    return decision.period_id


def assert_still_declared(
    channel: Channel, form: str, *, now: datetime = NOW, env: str = "R", sender: str = SENDER
) -> None:
    """The period declared by the IN `form` is still active with that very start and end.

    Sends the same IN again: it must be refused as an exact duplicate (90373-333). A period that had
    been moved would give an overlap (90373-334) or nothing; a cancelled one would let it through.
    """
    again = send_one(channel, form, now=now, env=env, sender=sender)
    assert_refused(again, "90373-333")
    assert "90373-334" not in again.codes
