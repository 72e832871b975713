"""Isolation: no sender reaches another's data (SPEC 1, 9).

Answers go only to the folder the file was dropped in, whatever its name claims; a mandate is held
per purpose; and what the processor writes (answers, archive, quarantine, the state) is readable by
its own user only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.answers import Decision
from support.builders import (
    CBE_AURORA,
    INSZ_A,
    INSZ_B,
    NOSS_AURORA,
    NOSS_FONDS,
    dimona,
    dimona_in,
)
from support.channel import Channel
from support.channel_checks import assert_refused
from support.flexi_builders import beneficiary, flxwage, month, relation, wage_form
from support.hostile import state_facts

OTHER = "654321"  # holds a DIMN-only mandate for Hotel Aurora (RSZ 175110898)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _honest_aurora(reference: str) -> bytes:
    return dimona(dimona_in(insz=INSZ_B, noss=NOSS_AURORA, reference=reference))


# answers go where the file was dropped ----------------------------------------------------------


def test_a_file_named_for_another_sender_is_answered_in_its_own_folder_only(channel: Channel) -> None:
    """The name says 654321, the file lies in 123456's folder: ACRF-108, answered to 123456 only,
    and 654321's own submission under the very same name is untouched and accepted."""
    intruder = channel.submit(_honest_aurora("INTRUDER"), sender=OTHER, folder="123456", seq="00001")
    honest = channel.submit(_honest_aurora("HONEST"), sender=OTHER, seq="00001")
    assert intruder == honest, "the same key, dropped in two folders"

    channel.run()

    refused = channel.receipt(intruder, folder="123456")
    assert_refused(refused, "ACRF-108")
    stem = f"{honest}.DIMN"
    assert set(_files(channel.outbox / OTHER)) == {
        f"FO.ACRF.{stem}",
        f"GO.ACRF.{stem}",
        f"FO.NOTI.{stem}",
        f"FO.NOTI.{stem}.csv",
        f"GO.NOTI.{stem}",
    }, "the other sender's folder holds its own answers, no .2, nothing of the intruder"
    assert channel.receipt(honest, folder=OTHER).accepted
    (decision,) = channel.decisions(honest, folder=OTHER)
    assert decision.accepted
    for content in _files(channel.outbox / OTHER).values():
        assert b"INTRUDER" not in content
    assert set(_files(channel.outbox / "123456")) == {f"FO.ACRF.{stem}", f"GO.ACRF.{stem}"}
    assert channel.store.periods.count() == 1


def test_an_earlier_intruder_does_not_take_the_other_senders_answer_names(channel: Channel) -> None:
    intruder = channel.submit(_honest_aurora("INTRUDER"), sender=OTHER, folder="123456", seq="00002")
    channel.run()
    assert_refused(channel.receipt(intruder, folder="123456"), "ACRF-108")
    assert not (channel.outbox / OTHER).exists(), "nothing was written for the sender the name claims"

    honest = channel.submit(_honest_aurora("HONEST"), sender=OTHER, seq="00002")
    channel.run()

    receipt = channel.receipt(honest, folder=OTHER)
    assert receipt.accepted, receipt.diagnostics  # not ACRF-133: the name was used in another folder
    assert not [name for name in _files(channel.outbox / OTHER) if name.endswith((".2", ".2.csv"))]


def test_a_file_dropped_at_the_inbox_root_is_answered_at_the_outbox_root(channel: Channel) -> None:
    key = channel.submit(_honest_aurora("ROOT"), sender=OTHER, folder=None)

    channel.run()

    assert channel.receipt(key, folder=None).accepted
    assert not (channel.outbox / OTHER).exists(), "never into a sender folder the file did not come from"
    assert {p.name for p in channel.outbox.iterdir()} >= {f"FO.ACRF.{key}.DIMN", f"FO.NOTI.{key}.DIMN"}


# mandates per purpose (SPEC 9) ------------------------------------------------------------------


def _wage(debtor: dict[str, str], insz: str = INSZ_A) -> bytes:
    form = wage_form(
        beneficiary(
            insz, relation("3f2504e0-4f89-11d3-9a0c-0305e82c3301", month("2026-05-01", "2026-05-31"))
        ),
        **{"company_id": None, "noss": None, **debtor},  # type: ignore[arg-type]
    )
    return flxwage(form)


def _decide(channel: Channel, content: bytes, sender: str, purpose: str) -> Decision:
    key = channel.submit(content, sender=sender, purpose=purpose)
    channel.run()
    receipt = channel.receipt(key, purpose=purpose)
    assert receipt.accepted, receipt.diagnostics
    (decision,) = channel.decisions(key, purpose=purpose)
    return decision


def _blocking(decision: Decision, code: str) -> None:
    assert not decision.accepted
    assert code in decision.blocking, decision.anomalies


@pytest.mark.parametrize(
    "debtor",
    [{"noss": NOSS_AURORA}, {"company_id": CBE_AURORA}],
    ids=["by-rsz-number", "by-enterprise-number"],
)
def test_a_dimona_only_mandate_does_not_let_a_sender_send_wages(
    channel: Channel, debtor: dict[str, str]
) -> None:
    accepted = _decide(channel, _honest_aurora("DIMN-OK"), OTHER, "DIMN")
    assert accepted.accepted, accepted.anomalies

    refused = _decide(channel, _wage(debtor), OTHER, "FLEX")

    _blocking(refused, "90256-155")
    assert refused.flexi == []
    facts = state_facts(channel.state)
    assert sum(facts.situations.values()) == 0 and sum(facts.totals.values()) == 0


def test_a_wages_only_mandate_does_not_let_a_sender_declare_dimona(channel: Channel) -> None:
    wages = _decide(channel, _wage({"noss": NOSS_FONDS}), "123456", "FLEX")
    assert wages.accepted, wages.anomalies

    refused = _decide(channel, dimona(dimona_in(noss=NOSS_FONDS, reference="FONDS")), "123456", "DIMN")

    _blocking(refused, "90256-155")
    assert channel.store.periods.count() == 0


def test_a_sender_without_any_mandate_for_the_employer_reaches_nothing(channel: Channel) -> None:
    """Sender 654321 holds no mandate for the Brasserie du Parc, whatever the purpose."""
    dimona_decision = _decide(channel, dimona(dimona_in(reference="NONE")), OTHER, "DIMN")
    wage_decision = _decide(channel, _wage({"company_id": "0400767772"}), OTHER, "FLEX")

    _blocking(dimona_decision, "90256-155")
    _blocking(wage_decision, "90256-155")
    assert channel.store.periods.count() == 0


# owner-only ---------------------------------------------------------------------------------------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most servers run with: files 0644 and folders 0755 unless the processor says otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _open_to_others(path: Path) -> bool:
    return bool(stat.S_IMODE(path.lstat().st_mode) & 0o077)


@pytest.mark.usefixtures("usual_umask")
@pytest.mark.parametrize(
    "work_exists", [False, True], ids=["fresh-work-folder", "work-folder-made-by-the-operator"]
)
def test_answers_archives_and_the_state_are_created_owner_only(tmp_path: Path, work_exists: bool) -> None:
    installation = Channel(tmp_path)
    if work_exists:
        installation.work.mkdir()  # 0755, as `mkdir` or a deployment tool leaves it
    try:
        installation.drop("hello.txt", b"not a channel name", None)
        keys = [installation.submit(dimona(dimona_in())), installation.submit(b"<Dimona>")]
        dropped_names = {"hello.txt"} | {
            f"{kind}.DIMN.{key}.1{part}" for key in keys for kind, part in (("FI", ".1.xml"), ("GO", ""))
        }
        installation.run()
    finally:
        installation.close()

    created = [
        path
        for top in (installation.work, installation.outbox)
        for path in top.rglob("*")
        if path.name not in dropped_names  # a sender's own file keeps the mode it came with
    ]
    created += list(tmp_path.glob("state.db*"))
    if not work_exists:
        created.append(installation.work)
    assert any(p.name.startswith("FO.ACRF") for p in created) and any("quarantine" in str(p) for p in created)
    exposed = sorted(
        f"{oct(stat.S_IMODE(p.lstat().st_mode))} {p.relative_to(tmp_path)}"
        for p in created
        if _open_to_others(p)
    )
    assert not exposed, "readable by other users of the machine:\n" + "\n".join(exposed)
