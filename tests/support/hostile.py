"""Helpers for the hostile-input, crash and concurrency tests.

A local listener that records every connection (so "never fetched" is observed, not assumed), a
read-only look at the SQLite state, a stream of mixed submissions for the e2e tests, and the
comparison of two installations' outboxes and states.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from support.answers import read_acrf, read_noti
from support.builders import NOSS_BRASSERIE, dimona, dimona_in
from support.channel import SAMPLES
from support.cli import cli, workers
from support.flexi_builders import beneficiary, flxwage, month, relation, wage_form
from support.state import state_rows


class Listener:
    """A TCP server on 127.0.0.1 that accepts and counts connections (an http entity's target)."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            with contextlib.suppress(OSError):
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nLEAKED-BY-NETWORK\n")
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@contextlib.contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll until the condition holds (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# the state, read the way an auditor would ----------------------------------------------------------

PERIOD_FACTS = "env, employer_key, worker_key, start_date, start_hour, end_date, end_hour, status"
SITUATION_FACTS = "env, employer_key, insz, relation_id, status, version, calculations"


@dataclass(frozen=True)
class StateFacts:
    """What the state says, without the ids a processor issues in its own order."""

    periods: Counter[tuple[object, ...]]
    situations: Counter[tuple[object, ...]]
    totals: Counter[tuple[object, ...]]
    period_history: int
    situation_history: int
    submissions: int
    distinct_submission_files: int

    @property
    def changes(self) -> int:
        return sum(self.periods.values()) + sum(self.situations.values()) + sum(self.totals.values())


def state_facts(db: Path | str) -> StateFacts:
    return StateFacts(
        periods=Counter(state_rows(db, f"SELECT {PERIOD_FACTS} FROM periods")),
        situations=Counter(state_rows(db, f"SELECT {SITUATION_FACTS} FROM situations")),
        totals=Counter(state_rows(db, "SELECT env, insz, year, amount FROM flexi_totals")),
        period_history=state_rows(db, "SELECT count(*) FROM period_history")[0][0],  # type: ignore[assignment]
        situation_history=state_rows(db, "SELECT count(*) FROM situation_history")[0][0],  # type: ignore[assignment]
        submissions=state_rows(db, "SELECT count(*) FROM submissions")[0][0],  # type: ignore[assignment]
        distinct_submission_files=state_rows(
            db, "SELECT count(DISTINCT folder || '/' || file_name) FROM submissions"
        )[0][0],  # type: ignore[assignment]
    )


# a stream of mixed submissions ---------------------------------------------------------------------

SENDER = "123456"
DATE = "20260624"


@dataclass(frozen=True)
class Drop:
    """One file as a sender drops it: its place under the inbox and its bytes."""

    path: str
    content: bytes


def _sequence(number: int) -> str:
    return f"{number:05d}"


def mixed_stream(count: int, seed: int) -> list[list[Drop]]:
    """`count` submissions, each a list of files dropped in order (FI before GO).

    Dimona INs and Flexi at work originals for distinct workers (so no decision depends on the order
    submissions are taken in), refused files (schema error, not well-formed, unknown sender) and
    foreign names. Every content is distinct, so ACRF-134 never depends on the order either.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible stream, not a secret
    people = iter(workers(count))
    kinds = ["dimona"] * 10 + ["flexi"] * 5 + ["schema"] + ["broken"] + ["unknown-sender"] + ["foreign"] * 2
    stream: list[list[Drop]] = []
    for number in range(1, count + 1):
        kind = rng.choice(kinds)
        insz = next(people)
        seq = _sequence(number)
        folder = SENDER
        purpose = "DIMN"
        reference = f"S{seed}-{number}"
        if kind == "dimona":
            content = dimona(
                dimona_in(insz=insz, reference=reference, start=f"2026-06-{rng.randint(25, 30)}")
            )
        elif kind == "flexi":
            purpose = "FLEX"
            form = wage_form(
                beneficiary(
                    insz,
                    relation(
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)), month("2026-05-01", "2026-05-31")
                    ),
                ),
                reference=reference,
            )
            content = flxwage(form)
        elif kind == "schema":
            content = dimona(dimona_in(insz=insz, reference=reference, end_hour="2500"))
        elif kind == "broken":
            content = dimona(dimona_in(insz=insz, reference=reference))[:-30]
        elif kind == "unknown-sender":
            folder = "999999"
            content = dimona(dimona_in(insz=insz, reference=reference, noss=NOSS_BRASSERIE))
        else:
            stream.append(
                [Drop(f"{SENDER}/payroll export {number}.xml", f"not a channel name {number}".encode())]
            )
            continue
        key = f"{folder}.{DATE}.{seq}.R"
        stream.append(
            [
                Drop(f"{folder}/FI.{purpose}.{key}.1.1.xml", content),
                Drop(f"{folder}/GO.{purpose}.{key}.1", b""),
            ]
        )
    return stream


def drop_files(inbox: Path, files: list[Drop]) -> None:
    """Drop files the way a careful SFTP client does: written under a hidden name, then renamed."""
    for item in files:
        target = inbox / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        hidden = target.with_name("." + target.name)
        hidden.write_bytes(item.content)
        hidden.rename(target)


def expected_answer_names(stream: list[list[Drop]]) -> set[str]:
    """The answers (with their markers) each submission gets exactly once, relative to the outbox.

    A refused submission gets its ACRF; an accepted one also its NOTI and NOTI.csv. Which of them are
    accepted is not assumed here: only the receipts are certain.
    """
    names = set()
    for files in stream:
        folder, name = files[0].path.split("/")
        if name.startswith("FI."):
            _, purpose, sender, date, seq, env, *_ = name.split(".")
            stem = f"{sender}.{date}.{seq}.{env}.{purpose}"
            names |= {f"{folder}/FO.ACRF.{stem}", f"{folder}/GO.ACRF.{stem}"}
        else:
            names |= {f"{folder}/ERR.{name}", f"{folder}/GO.ERR.{name}"}
    return names


def answer_names(outbox: Path) -> list[str]:
    """Every file in the outbox, relative to it (a list: a doubled answer would show twice)."""
    return sorted(str(p.relative_to(outbox)) for p in outbox.rglob("*") if p.is_file())


def suffixed(name: str) -> bool:
    """An answer name that took a `.2`, `.3`... because its name was taken: a doubled answer."""
    base = name.rsplit("/", 1)[-1].removesuffix(".csv")
    if base.startswith(("ERR.", "GO.ERR.")):
        return base.rsplit(".", 1)[-1].isdigit()
    return base.rsplit(".", 1)[-1] not in ("DIMN", "FLEX")


def decisions_of(outbox: Path) -> dict[str, object]:
    """Per answer, what it decided: the receipt's result and ErrorIDs, each NOTI form's result and
    ErrorIDs. Tickets, period ids and times are left out: they depend on the order of processing."""
    found: dict[str, object] = {}
    for path in sorted(outbox.rglob("*")):
        name = path.name
        if name.startswith(("FO.ACRF.", "ERR.")):
            receipt = read_acrf(path)
            found[str(path.relative_to(outbox))] = (receipt.accepted, sorted(receipt.error_ids))
        elif name.startswith("FO.NOTI.") and not name.endswith(".csv"):
            found[str(path.relative_to(outbox))] = [
                (
                    d.form_index,
                    d.accepted,
                    sorted(d.codes),
                    [(f.relation_id, f.version, f.status) for f in d.flexi],
                )
                for d in read_noti(path)
            ]
    return found


def installed(root: Path, **env: str) -> None:
    """An installation under `root` for the stream tests: its inbox and outbox, the sample
    reference data loaded into its state (`env`: the state named otherwise)."""
    (root / "inbox").mkdir(parents=True)
    (root / "outbox").mkdir()
    assert cli(root, "refdata", "load", str(SAMPLES / "refdata"), **env).wait(timeout=60) == 0


def answered(outbox: Path) -> int:
    """How many submissions are answered: the GO markers of their ACRFs and ERRs."""
    return sum(1 for p in outbox.rglob("GO.*") if p.name.startswith(("GO.ACRF.", "GO.ERR.")))


def unfinished_claims(work: Path) -> list[str]:
    """The sender's files still in the claim folders under the work folder `work`, relative to its
    `claims/`; a claim's own files are not counted (a `.new-` folder a killed process prepared holds
    only its claim.json, and is cleaned up later, by design). Read while workers file claims away: a
    folder that vanishes while it is listed is skipped (os.walk), where `rglob` raises
    FileNotFoundError (Python 3.11)."""
    claims = work / "claims"
    return sorted(
        str(Path(folder, name).relative_to(claims))
        for folder, _, files in os.walk(claims)
        for name in files
        if name not in ("claim.json", ".lock", "claim.json.tmp")
    )


def arriving(inbox: Path, stream: list[list[Drop]]) -> threading.Thread:
    """A thread, not started, that drops the stream's submissions into `inbox` at a sender's pace."""

    def sender() -> None:
        for files in stream:
            drop_files(inbox, files)
            time.sleep(0.01)  # the pace of the stream, not a wait for a result

    return threading.Thread(target=sender, daemon=True)


def a_moment_in_the_work(outbox: Path, rng: random.Random) -> bool:
    """After the next answer, a random moment inside the work (the time to strike a worker);
    False when no answer came within 30 s: every answer is out."""
    before = answered(outbox)
    if not wait_for(lambda: answered(outbox) > before, 30):
        return False
    time.sleep(rng.uniform(0.0, 0.15))
    return True


def assert_answered_as_undisturbed(stormy: Path, calm: Path, stream: list[list[Drop]]) -> None:
    """The disturbed installation's outbox has the undisturbed one's answers, each once and every
    submission's, none suffixed, with the same decision on every form."""
    stormy_names = answer_names(stormy / "outbox")
    assert len(stormy_names) == len(set(stormy_names))
    assert expected_answer_names(stream) <= set(stormy_names), "every submission has its receipt"
    assert stormy_names == answer_names(calm / "outbox"), "the same answers, each once, none missing"
    assert not [n for n in stormy_names if suffixed(n)], "no answer took a .2 suffix"
    assert decisions_of(stormy / "outbox") == decisions_of(calm / "outbox"), "the same decision on every form"


def assert_state_as_undisturbed(stormy: StateFacts, calm: StateFacts, stream: list[list[Drop]]) -> None:
    """The disturbed state holds each period and situation once, as the undisturbed one does, and
    each submission once."""
    assert all(n == 1 for n in stormy.periods.values()), "no period exists twice"
    assert all(n == 1 for n in stormy.situations.values()), "no situation exists twice"
    assert stormy == calm, "the state equals that of the undisturbed run"
    assert stormy.submissions == len(stream) == stormy.distinct_submission_files
