"""Hostile input: whatever a sender drops, it gets exactly one honest answer (SPEC 4), in bounded
time and memory, with no state change, nothing fetched, nothing of its content leaked, and nothing
written outside the outbox and the work folder.

Each case is a folder under tests/cases/hostile/: the files as the sender drops them (into the
sender folder 123456 unless `folder` says otherwise) and an `expected.json`:

- `answer`: the receipt's name (`{name}` stands for a generated file name), or null when the files
  must wait; `answer_glob` when only its shape is certain;
- `result`, `error_ids` (the exact ErrorIDs of ReceptionResult; null: not checked),
  `error_ids_one_of` (when SPEC 4 allows either), `file_name`, `max_diagnostics`;
- `periods`: the declarations that must be accepted (0 by default: a refused file changes nothing);
- `remaining`: files that must stay in the inbox (they must wait);
- `generate`, `generate_name`, `links`: files too big, too odd or too dangerous to commit, made at
  run time; `listener`: `LISTENER_PORT` in the files is a local port that counts connections;
- `settings` for the run, `age_seconds` to age the dropped files (go_timeout uses the real clock).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import flexibatch.service.run
from support.answers import Receipt, read_acrf, read_noti, validated
from support.builders import INSZ_B, NOSS_AURORA, dimona, dimona_in
from support.channel import ROOT, SAMPLES, Channel
from support.channel_checks import assert_refused
from support.cli import NOW
from support.csv_twin import read_rows
from support.hostile import Listener, listening, state_facts

CASES_DIR = ROOT / "tests" / "cases" / "hostile"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if (path / "expected.json").exists())
HANG_GUARD_SECONDS = 30.0
SENDER = "123456"
PASSWD = Path("/etc/passwd")
ALWAYS_FORBIDDEN = ("LEAKED-BY-NETWORK", "lollollol")  # what the listener serves; entity expansion


# generated content ---------------------------------------------------------------------------------

_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_FORM_START = (
    b"<Dimona><Form><Identification>DIMONA</Identification><FormCreationDate>2026-06-24</FormCreationDate>"
    b"<FormCreationHour>10:15:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
    b"<TypeForm>SU</TypeForm>"
)


def _billion_laughs(path: Path, _port: int) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE Dimona [" + "".join(entities) + "]>"
    path.write_bytes(
        _HEAD + doctype.encode() + b"\n" + _FORM_START + b"<Reference>&lol9;</Reference></Form></Dimona>"
    )


def _quadratic_blowup(path: Path, _port: int) -> None:
    doctype = b'<!DOCTYPE Dimona [<!ENTITY q "' + b"Q" * 50_000 + b'">]>\n'
    path.write_bytes(
        _HEAD + doctype + _FORM_START + b"<Reference>" + b"&q;" * 50_000 + b"</Reference></Form></Dimona>"
    )


def _doctype_after_long_comment(path: Path, port: int) -> None:
    comment = b"<!--" + b" padding " * 8_000 + b"-->\n"
    doctype = f'<!DOCTYPE Dimona SYSTEM "http://127.0.0.1:{port}/dimona.dtd" [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    path.write_bytes(
        _HEAD + comment + doctype.encode() + _FORM_START + b"<Reference>&xxe;</Reference></Form></Dimona>"
    )


def _deep_nesting(path: Path, _port: int) -> None:
    path.write_bytes(_HEAD + _FORM_START + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Form></Dimona>")


def _text_node_100mb(path: Path, _port: int) -> None:
    chunk = b"A" * (1024 * 1024)
    with path.open("wb") as out:
        out.write(
            _HEAD
            + _FORM_START
            + b"<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>1</ReferenceOrigin><ReferenceNbr>"
        )
        for _ in range(100):
            out.write(chunk)
        out.write(b"</ReferenceNbr></Reference></Form></Dimona>\n")


def _huge_attribute(path: Path, _port: int) -> None:
    path.write_bytes(_HEAD + b'<Dimona note="' + b"B" * (11 * 1024 * 1024) + b'"><Form/></Dimona>')


def _huge_name(path: Path, _port: int) -> None:
    path.write_bytes(_HEAD + _FORM_START + b"<" + b"N" * 60_000 + b"/></Form></Dimona>")


def _many_schema_errors(path: Path, _port: int) -> None:
    path.write_bytes(dimona(*(dimona_in(end_hour="2500", insz=None) for _ in range(3000))))


def _fifo(path: Path, _port: int) -> None:
    os.mkfifo(path)


GENERATORS: dict[str, Callable[[Path, int], None]] = {
    "billion_laughs": _billion_laughs,
    "quadratic_blowup": _quadratic_blowup,
    "doctype_after_long_comment": _doctype_after_long_comment,
    "deep_nesting": _deep_nesting,
    "text_node_100mb": _text_node_100mb,
    "huge_attribute": _huge_attribute,
    "huge_name": _huge_name,
    "many_schema_errors": _many_schema_errors,
    "fifo": _fifo,
}

NAME_GENERATORS: dict[str, str] = {
    "name_not_utf8": os.fsdecode(b"d\xe9claration juin.xml"),
    "name_control_characters": "pay\x01roll\x1b[2J.xml",
    "name_with_newline": "two\nlines.xml",
    "name_255_bytes": "A" * 251 + ".xml",
}


# one case, prepared and checked ------------------------------------------------------------------


@dataclass
class Prepared:
    name: str
    expected: dict[str, Any]
    folder: str | None
    dropped: list[Path] = field(default_factory=list)  # every leaf dropped in the inbox
    generated_name: str | None = None

    @property
    def target(self) -> str:
        return self.folder or ""

    @property
    def answer(self) -> str | None:
        answer = self.expected.get("answer")
        if answer is None or self.generated_name is None:
            return answer
        return str(answer).replace("{name}", self.generated_name)


def _load(name: str) -> dict[str, Any]:
    return json.loads((CASES_DIR / name / "expected.json").read_text(encoding="utf-8"))


def _elsewhere(channel: Channel) -> Path:
    """A folder outside the inbox holding a sound submission, for a sender folder that is a link."""
    place = channel.root / "elsewhere"
    place.mkdir(exist_ok=True)
    (place / "FI.DIMN.123456.20260624.00199.R.1.1.xml").write_bytes(dimona(dimona_in(reference="ELSEWHERE")))
    (place / "GO.DIMN.123456.20260624.00199.R.1").write_bytes(b"")
    return place


def prepare(name: str, channel: Channel, port: int) -> Prepared:
    expected = _load(name)
    case = Prepared(name, expected, expected.get("folder", SENDER))
    target = channel.inbox / case.target
    target.mkdir(parents=True, exist_ok=True)
    source = CASES_DIR / name
    for path in sorted(source.rglob("*")):
        if path.is_dir() or path.name == "expected.json":
            continue
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes().replace(b"LISTENER_PORT", str(port).encode()))
        case.dropped.append(copy)
    for file_name, generator in expected.get("generate", {}).items():
        GENERATORS[generator](target / file_name, port)
        case.dropped.append(target / file_name)
    if generator_name := expected.get("generate_name"):
        case.generated_name = NAME_GENERATORS[generator_name]
        (target / case.generated_name).write_bytes(b"<Dimona/>")
        case.dropped.append(target / case.generated_name)
    for link_name, destination in expected.get("links", {}).items():
        link = target / link_name
        link.symlink_to(_elsewhere(channel) if destination == "@elsewhere" else Path(destination))
        case.dropped.append(link)
    if age := expected.get("age_seconds"):
        aged = time.time() - age
        for path in case.dropped:
            os.utime(path, (aged, aged), follow_symlinks=False)
    return case


def _tree(root: Path) -> set[str]:
    """Every path under root, links not followed."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for entry in dirs + files:
            found.add(str((Path(folder) / entry).relative_to(root)))
    return found


def _passwd_lines() -> list[str]:
    return [line for line in PASSWD.read_text(errors="replace").splitlines() if len(line) >= 8]


def _answers_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def expected_outbox(case: Prepared, channel: Channel) -> set[str]:
    """The answers this case must have produced, relative to the outbox: each once, with markers."""
    folder = channel.outbox / case.target
    answer = case.answer
    if glob := case.expected.get("answer_glob"):
        matches = [p.name for p in _answers_in(folder) if fnmatch.fnmatchcase(p.name, glob)]
        assert len(matches) == 1, f"{case.name}: one receipt matching {glob}, found {matches}"
        answer = matches[0]
    if answer is None:
        return set()
    names = {answer, "GO." + answer.split(".", 1)[1] if answer.startswith("FO.") else "GO." + answer}
    if case.expected.get("result") == 1:
        noti = answer.replace("FO.ACRF.", "FO.NOTI.", 1)
        names |= {noti, noti + ".csv", noti.replace("FO.", "GO.", 1)}
    return {f"{case.target}/{n}" if case.target else n for n in names}


def _read_receipt(path: Path) -> Receipt:
    """read_acrf through a copy with a plain name (lxml cannot open a name that is not UTF-8)."""
    with tempfile.TemporaryDirectory() as scratch:
        safe = Path(scratch) / "receipt.xml"
        shutil.copyfile(path, safe)
        try:
            return read_acrf(safe)
        except etree.XMLSyntaxError as exc:
            pytest.fail(f"the receipt {path.name!r} is not well-formed XML: {exc}")


def check_valid_answers(channel: Channel, scratch: Path) -> None:
    """Every ACRF, ERR and NOTI in the outbox is well-formed and valid against its XSD."""
    scratch.mkdir(exist_ok=True)
    for answer in channel.all_answers():
        if answer.name.startswith(("FO.ACRF", "FO.NOTI", "ERR.")) and not answer.name.endswith(".csv"):
            safe = scratch / "answer.xml"
            shutil.copyfile(answer, safe)
            try:
                validated(safe)
            except etree.XMLSyntaxError as exc:
                pytest.fail(f"{answer.name!r} is not well-formed XML: {exc}")


def check_answer(case: Prepared, channel: Channel) -> None:
    expected = case.expected
    for relative in expected_outbox(case, channel):
        assert (channel.outbox / relative).exists(), f"{case.name}: {relative!r} missing"
    receipts = [
        r for r in expected_outbox(case, channel) if r.rsplit("/", 1)[-1].startswith(("FO.ACRF.", "ERR."))
    ]
    if not receipts:
        return
    (receipt_path,) = receipts
    receipt = _read_receipt(channel.outbox / receipt_path)  # well-formed and valid against ACRF.xsd
    assert receipt.accepted == (expected["result"] == 1), f"{case.name}: {receipt.diagnostics}"
    if expected.get("error_ids") is not None:
        assert set(receipt.error_ids) == set(expected["error_ids"]), f"{case.name}: {receipt.diagnostics}"
    if one_of := expected.get("error_ids_one_of"):
        assert set(receipt.error_ids) in [set(codes) for codes in one_of], (
            f"{case.name}: {receipt.diagnostics}"
        )
    if not receipt.accepted:
        assert_refused(receipt, *receipt.error_ids)
        assert receipt.error_ids, "a negative receipt says why"
    if expected.get("file_name"):
        assert receipt.file_name == expected["file_name"]
    if limit := expected.get("max_diagnostics"):
        assert len(receipt.diagnostics) <= limit, "a receipt stays bounded (decision 7)"
    if receipt.accepted:
        decisions = read_noti(channel.outbox / receipt_path.replace("FO.ACRF.", "FO.NOTI.", 1))
        assert decisions and all(d.accepted for d in decisions)


def check_files(case: Prepared, channel: Channel) -> None:
    """What stays must stay, the rest left the inbox for the work folder, never lost."""
    remaining = {str(channel.inbox / case.target / r) for r in case.expected.get("remaining", [])}
    for path in case.dropped:
        if str(path) in remaining:
            assert os.path.lexists(path), f"{case.name}: {path.name!r} must wait in the inbox"
            continue
        assert not os.path.lexists(path), f"{case.name}: {path.name!r} is still in the inbox"
        shelf = "archive" if case.expected.get("result") == 1 else "quarantine"
        kept = [p for p in (channel.work / shelf).rglob("*") if p.name == path.name]
        assert kept, f"{case.name}: {path.name!r} was lost: not in {shelf}"
        if path.name in case.expected.get("links", {}):
            assert any(p.is_symlink() for p in kept), "the link itself is quarantined, not its target"
    for relative in remaining:
        assert os.path.lexists(relative)


def check_no_leak(channel: Channel, extra: list[str]) -> None:
    forbidden = [*_passwd_lines(), *ALWAYS_FORBIDDEN, *extra]
    for answer in channel.outbox.rglob("*"):
        text = answer.name + (answer.read_bytes().decode("utf-8", "replace") if answer.is_file() else "")
        leaked = [needle for needle in forbidden if needle in text]
        assert not leaked, f"{answer.name!r} carries content it must not: {leaked[:3]}"


def check_inert_csv(channel: Channel) -> None:
    """Every cell of every CSV twin is inert; there is a twin with rows, so the check reads something."""
    twins = [read_rows(answer.read_bytes()) for answer in channel.outbox.rglob("*.csv")]
    assert [rows for rows in twins if len(rows) > 1], "a CSV twin with its declarations' rows"
    for rows in twins:
        for row in rows:
            assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], row


def check_writes(before: set[str], channel: Channel) -> None:
    created = _tree(channel.root) - before
    allowed = ("outbox_dir/", "state.work/", "state.db")
    outside = sorted(path for path in created if not path.startswith(allowed) and path != "state.work")
    assert not outside, f"written outside the outbox and the work folder: {outside}"


def _no_state_change(channel: Channel, periods: int) -> None:
    facts = state_facts(channel.state)
    assert channel.store.periods.count() == periods, "only the accepted declarations changed the state"
    assert sum(facts.situations.values()) == 0 and sum(facts.totals.values()) == 0, (
        "no wage transfer was kept"
    )


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Channel]:
    """The conftest installation, except that every answer is validated by `check_valid_answers`
    through a copy: lxml cannot open a file whose name is not UTF-8 (a hostile name's ERR answer)."""
    installation = Channel(tmp_path)
    yield installation
    installation.close()
    check_valid_answers(installation, tmp_path / "validated")


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


@pytest.mark.parametrize("name", CASES)
def test_each_hostile_file_gets_one_honest_answer_and_changes_nothing(
    channel: Channel, listener: Listener, name: str
) -> None:
    case = prepare(name, channel, listener.port)
    before = _tree(channel.root)
    passwd_before = PASSWD.read_bytes()

    started = time.monotonic()
    processor = channel.processor(**case.expected.get("settings", {}))
    processor.run_once()
    elapsed = time.monotonic() - started

    assert elapsed < HANG_GUARD_SECONDS, f"{name} took {elapsed:.1f} s"
    assert processor.failures == 0, f"{name}: the processor failed on the file instead of answering it"
    assert not [p for p in (channel.work / "claims").iterdir() if not p.name.startswith(".new-")], (
        "no claim is left waiting: the file was answered"
    )
    check_answer(case, channel)
    answers = {str(p.relative_to(channel.outbox)) for p in channel.outbox.rglob("*") if p.is_file()}
    assert answers == expected_outbox(case, channel), "exactly its answers, in the sender's own folder"
    check_files(case, channel)
    check_no_leak(channel, case.expected.get("never_in_answers", []))
    check_writes(before, channel)
    if case.expected.get("csv_answers_inert"):
        check_inert_csv(channel)
    _no_state_change(channel, case.expected.get("periods", 0))
    assert listener.connections == 0, "nothing is ever fetched from the network"
    assert PASSWD.read_bytes() == passwd_before

    channel.processor(**case.expected.get("settings", {})).run_once()
    again = {str(p.relative_to(channel.outbox)) for p in channel.outbox.rglob("*") if p.is_file()}
    assert again == answers, "a second run answers nothing again: exactly one answer"
    if case.expected.get("heavy"):
        shutil.rmtree(channel.work / "quarantine", ignore_errors=True)  # 100 MB less left in /tmp


# the whole corpus at once, beside an honest sender ---------------------------------------------


def _together(name: str) -> bool:
    expected = _load(name)
    return not (expected.get("settings") or expected.get("heavy") or expected.get("folder", SENDER) != SENDER)


def test_the_whole_corpus_at_once_disturbs_neither_itself_nor_an_honest_sender(
    channel: Channel, listener: Listener
) -> None:
    cases = [prepare(name, channel, listener.port) for name in CASES if _together(name)]
    honest = channel.submit(
        dimona(dimona_in(insz=INSZ_B, noss=NOSS_AURORA, reference="HONEST")), sender="654321"
    )
    before = _tree(channel.root)

    channel.run()

    stem = f"{honest}.DIMN"
    theirs = {f"654321/{kind}.{stem}" for kind in ("FO.ACRF", "GO.ACRF", "FO.NOTI", "GO.NOTI")}
    theirs.add(f"654321/FO.NOTI.{stem}.csv")
    answers = {str(p.relative_to(channel.outbox)) for p in channel.outbox.rglob("*") if p.is_file()}
    assert {a for a in answers if a.startswith("654321/")} == theirs, (
        "the honest sender gets its answers only"
    )
    assert channel.receipt(honest).accepted
    (decision,) = channel.decisions(honest)
    assert decision.accepted
    never = [n for case in cases for n in case.expected.get("never_in_answers", [])]
    check_no_leak(channel, never)
    check_writes(before, channel)
    accepted = sum(case.expected.get("periods", 0) for case in cases)
    _no_state_change(channel, accepted + 1)
    assert listener.connections == 0


# a file that grows while its GO appears ------------------------------------------------------------

KEY = f"{SENDER}.20260624.00301.R"
GROWING_FI = f"FI.DIMN.{KEY}.1.1.xml"
GROWING_GO = f"GO.DIMN.{KEY}.1"


def _two_forms() -> bytes:
    return dimona(dimona_in(reference="GROW1"), dimona_in(insz=INSZ_B, reference="GROW2"))


def _assert_consistent(channel: Channel, complete: bytes) -> None:
    """Either refused as unreadable, or decided on the complete content; the file is kept whole."""
    receipt = channel.receipt(KEY)
    if receipt.accepted:
        decisions = channel.decisions(KEY)
        assert len(decisions) == 2 and all(d.accepted for d in decisions), "decided on the whole file"
        assert channel.store.periods.count() == 2
        shelf = "archive"
    else:
        assert set(receipt.error_ids) <= {"ACRF-102", "ACRF-157"}, receipt.diagnostics
        assert channel.store.periods.count() == 0
        shelf = "quarantine"
    (kept,) = list((channel.work / shelf).rglob(GROWING_FI))
    assert kept.read_bytes() == complete, "the file is not lost, nor cut"
    assert not [p for p in channel.inbox.rglob("*") if p.is_file()]


def test_a_file_that_grows_after_its_go_appeared_is_answered_on_consistent_content(channel: Channel) -> None:
    complete = _two_forms()
    half = len(complete) // 2
    channel.drop(GROWING_FI, complete[:half], SENDER)
    channel.drop(GROWING_GO, b"", SENDER)
    with (channel.inbox / SENDER / GROWING_FI).open("ab") as upload:
        upload.write(complete[half:])

    channel.run()

    _assert_consistent(channel, complete)


def test_a_file_still_written_after_it_was_claimed_is_answered_on_consistent_content(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender's upload keeps its file open and goes on writing after the GO was seen and the file
    moved to the claim folder (a rename keeps the open file)."""
    complete = _two_forms()
    half = len(complete) // 2
    channel.drop(GROWING_FI, complete[:half], SENDER)
    channel.drop(GROWING_GO, b"", SENDER)
    original = flexibatch.service.run.claim
    with (channel.inbox / SENDER / GROWING_FI).open("ab") as upload:

        def claim_then_the_upload_goes_on(*args: Any, **kwargs: Any) -> Any:
            taken = original(*args, **kwargs)
            upload.write(complete[half:])
            upload.flush()
            return taken

        monkeypatch.setattr(flexibatch.service.run, "claim", claim_then_the_upload_goes_on)
        channel.run()

    _assert_consistent(channel, complete)


# bounded memory, measured on the real command --------------------------------------------------


def _peak_rss_kib(root: Path, *args: str) -> int:
    env = {
        **os.environ,
        "FLEXIBATCH_STATE": str(root / "state.db"),
        "FLEXIBATCH_INBOX": str(root / "inbox"),
        "FLEXIBATCH_OUTBOX": str(root / "outbox"),
        "FLEXIBATCH_NOW": NOW,
    }
    with (root / "flexibatch.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flexibatch", *args], env=env, cwd=root, stdout=log, stderr=log
        )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, (root / "flexibatch.log").read_text()
    return usage.ru_maxrss


def _flxwage_100mb_as_dimona(path: Path, _port: int) -> None:
    """A valid-looking Flexi at work document of 100 MB, dropped as a Dimona submission."""
    form = b"<Form><Identification>FLXWAGE</Identification><Padding>" + b"P" * 1000 + b"</Padding></Form>\n"
    with path.open("wb") as out:
        out.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<FLXWAGE xmlns="http://socialsecurity.be/xml/ns/FLXWAGE">\n'
        )
        out.writelines(form for _ in range(100 * 1024 * 1024 // len(form)))
        out.write(b"</FLXWAGE>\n")


@pytest.mark.parametrize(
    ("generator", "code"),
    [(_text_node_100mb, "ACRF-901"), (_flxwage_100mb_as_dimona, "ACRF-129")],
    ids=["text-node-100mb", "another-document-100mb"],
)
def test_a_100_mb_file_is_refused_in_bounded_memory(
    tmp_path: Path, generator: Callable[[Path, int], None], code: str
) -> None:
    """The peak memory of `flexibatch run` on a 100 MB file stays near that of a run on a tiny one:
    neither a huge text node nor a document of another kind is ever held whole."""
    peaks = {}
    for label, make in (("tiny", None), ("huge", generator)):
        root = tmp_path / label
        (root / "inbox" / SENDER).mkdir(parents=True)
        (root / "outbox").mkdir()
        _peak_rss_kib(root, "refdata", "load", str(SAMPLES / "refdata"))
        fi = root / "inbox" / SENDER / f"FI.DIMN.{SENDER}.20260624.00113.R.1.1.xml"
        if make is None:
            fi.write_bytes(dimona(dimona_in()))
        else:
            make(fi, 0)
        (root / "inbox" / SENDER / f"GO.DIMN.{SENDER}.20260624.00113.R.1").write_bytes(b"")
        peaks[label] = _peak_rss_kib(root, "run")
        receipt = read_acrf(root / "outbox" / SENDER / f"FO.ACRF.{SENDER}.20260624.00113.R.DIMN")
        assert receipt.accepted == (make is None)
        if make is not None:
            assert receipt.error_ids == [code]
        shutil.rmtree(root / "state.work", ignore_errors=True)  # 100 MB less on the disk
    grew = peaks["huge"] - peaks["tiny"]
    assert grew < 60 * 1024, f"peak memory grew by {grew // 1024} MiB on a 100 MB file"
