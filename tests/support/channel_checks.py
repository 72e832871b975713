"""Checks shared by the channel tests: where files end up and what a refused file must get."""

from __future__ import annotations

from support.answers import Receipt, read_acrf
from support.builders import SENDER, dimona, dimona_in
from support.channel import Channel

KEY = f"{SENDER}.20260624.00001.R"
FI = f"FI.DIMN.{KEY}.1.1.xml"
GO = f"GO.DIMN.{KEY}.1"
ACRF = f"FO.ACRF.{KEY}.DIMN"
NOTI = f"FO.NOTI.{KEY}.DIMN"
A_DAY_AND_MORE_AGO = 90_000.0  # beyond the default go_timeout of 24 h


def one_in() -> bytes:
    """A sound file with one declaration that the sample reference data accepts."""
    return dimona(dimona_in())


def line_of(content: bytes, needle: bytes) -> int:
    """The 1-based line of the first occurrence of `needle`."""
    return content[: content.index(needle)].count(b"\n") + 1


def in_inbox(channel: Channel) -> list[str]:
    return sorted(p.name for p in channel.inbox.rglob("*") if p.is_file())


def quarantined(channel: Channel) -> set[str]:
    shelf = channel.work / "quarantine"
    return {p.name for p in shelf.rglob("*") if p.is_file()} if shelf.exists() else set()


def answers(channel: Channel) -> set[str]:
    return {str(p.relative_to(channel.outbox)) for p in channel.all_answers()}


def outbox_snapshot(channel: Channel) -> dict[str, bytes]:
    return {str(p.relative_to(channel.outbox)): p.read_bytes() for p in channel.all_answers()}


def assert_refused(receipt: Receipt, *codes: str) -> None:
    """A negative receipt naming each code, with a Diagnostic that explains it, and no file ticket."""
    assert not receipt.accepted, f"{receipt.name} should be negative"
    for code in codes:
        assert code in receipt.error_ids, f"{code} missing from {receipt.error_ids}"
        assert any(d["ErrorID"] == code and d.get("Message", "").strip() for d in receipt.diagnostics), (
            f"no Diagnostic with a Message for {code}: {receipt.diagnostics}"
        )
    assert receipt.ticket is None, "the file ticket is only given with a positive receipt"


def assert_no_noti_and_no_state(channel: Channel) -> None:
    assert not [p.name for p in channel.all_answers() if p.name.startswith("FO.NOTI")], (
        "a refused file gets no NOTI"
    )
    assert channel.store.periods.count() == 0, "a refused file changes no state"


def assert_out_of_inbox_into_quarantine(channel: Channel, *names: str) -> None:
    assert in_inbox(channel) == [], "the refused files left the inbox"
    assert set(names) <= quarantined(channel), f"{names} should be in quarantine: {quarantined(channel)}"


def refused_submission(channel: Channel, key: str, *codes: str, folder: str | None = "") -> Receipt:
    """Run, then check everything a refused well-shaped submission must satisfy."""
    channel.run()
    receipt = channel.receipt(key, folder=folder)
    assert_refused(receipt, *codes)
    assert receipt.file_name == f"FI.DIMN.{key}.1.1.xml"
    assert_no_noti_and_no_state(channel)
    assert_out_of_inbox_into_quarantine(channel, f"FI.DIMN.{key}.1.1.xml", f"GO.DIMN.{key}.1")
    return receipt


def err_answer(channel: Channel, name: str, folder: str | None = SENDER) -> Receipt:
    return read_acrf(channel.folder_of(folder) / f"ERR.{name}")
