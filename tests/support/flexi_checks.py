"""Sending Flexi at work wage transfers at a pinned reception time and reading their NOTI (SPEC 5, 8)."""

from __future__ import annotations

import itertools
from datetime import datetime

from support.answers import Decision, FlexiImpact
from support.builders import SENDER, dimona
from support.channel import Channel
from support.flexi_builders import flxwage

#: The default business clock of the harness.
NOW = datetime(2026, 6, 24, 11, 50)
#: 00024-152: no Dimona covers the validity period. Most rule tests declare no Dimona, so it is the
#: one warning they expect besides the one they test.
NO_DIMONA = "00024-152"

_files = itertools.count(1)


def _unique(content: bytes) -> bytes:
    """The same declarations sent twice are not the same bytes (which would be ACRF-134)."""
    return content + f"<!-- file {next(_files)} -->\n".encode()


def send(
    channel: Channel,
    *forms: str,
    now: datetime = NOW,
    env: str = "R",
    sender: str = SENDER,
    **settings: object,
) -> list[Decision]:
    """Submit the FLXWAGE forms as one file received at `now` (processed with these settings, if any);
    return their decisions in document order."""
    key = channel.submit(
        _unique(flxwage(*forms)), purpose="FLEX", env=env, sender=sender, date=f"{now:%Y%m%d}"
    )
    channel.run(now, **settings)
    receipt = channel.receipt(key, purpose="FLEX")
    assert receipt.accepted, f"the file was refused: {receipt.error_ids} {receipt.diagnostics}"
    return channel.decisions(key, purpose="FLEX")


def send_one(
    channel: Channel,
    form: str,
    *,
    now: datetime = NOW,
    env: str = "R",
    sender: str = SENDER,
    **settings: object,
) -> Decision:
    (decision,) = send(channel, form, now=now, env=env, sender=sender, **settings)
    return decision


def declare_dimona(channel: Channel, *forms: str, now: datetime = NOW, env: str = "R") -> list[str]:
    """Send Dimona INs that must be accepted; return the period ids the processor issued."""
    key = channel.submit(_unique(dimona(*forms)), purpose="DIMN", env=env, date=f"{now:%Y%m%d}")
    channel.run(now)
    decisions = channel.decisions(key, purpose="DIMN")
    assert all(d.accepted for d in decisions), [d.anomalies for d in decisions]
    return [d.period_id for d in decisions if d.period_id]


def assert_refused(decision: Decision, code: str) -> None:
    """Refused, with `code` among its anomalies as class B, and no FlexiImpactReport."""
    found = [a for a in decision.anomalies if a["ErrorID"] == code]
    assert found, f"expected {code}, the NOTI says {decision.anomalies}"
    assert {a["AnomalyClass"] for a in found} == {"B"}, found
    assert not decision.accepted
    assert decision.flexi == []


def assert_accepted(decision: Decision, *warnings: str, ignoring: tuple[str, ...] = (NO_DIMONA,)) -> None:
    """Accepted with exactly these NP warnings, leaving aside those in `ignoring`."""
    assert decision.accepted, f"refused: {decision.anomalies}"
    assert all(a["AnomalyClass"] == "NP" for a in decision.anomalies), decision.anomalies
    others = sorted(c for c in decision.codes if c not in ignoring or c in warnings)
    assert others == sorted(warnings), decision.anomalies
    assert decision.flexi, "an accepted wage transfer has a FlexiImpactReport per relation"


def only_impact(decision: Decision) -> FlexiImpact:
    """The one FlexiImpactReport of an accepted one-relation declaration."""
    assert decision.accepted, f"refused: {decision.anomalies}"
    (impact,) = decision.flexi
    return impact


def anomaly(decision: Decision, code: str) -> dict[str, str]:
    (found,) = [a for a in decision.anomalies if a["ErrorID"] == code]
    return found
