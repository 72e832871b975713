"""The use case: process what is in the inbox, each submission from claim to archive.

A submission's state changes, its record and the names of its answers are committed in one
transaction; the answers themselves are rendered into the claim folder first and published after
the commit. Whatever the moment a process dies, the next run finishes its claims: a committed
submission is only published (again, to the same names), an uncommitted one is decided again with
the reception time and ticket it was claimed with, so it gets the same answer exactly once.

A submission that cannot be claimed or finished (a folder that cannot be written, a full disk, a
bug) is that submission's failure (flexibatch/service/failures.py): recorded, tried again later, given up
after a few attempts, while the others are answered.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog

from flexibatch.channel.claims import (
    Claim,
    Recovery,
    claim,
    claims_dir,
    file_away,
    orphaned_claims,
    resume,
)
from flexibatch.channel.inbox import Drop, incomplete, scan
from flexibatch.channel.names import (
    ChannelName,
    SubmissionKey,
    answer_name,
    error_answer_name,
    name_diagnostics,
    parse_name,
)
from flexibatch.channel.outbox import outbox_folder, publish
from flexibatch.config import Settings
from flexibatch.domain.anomalies import Diagnostic, diagnostic
from flexibatch.domain.ids import new_file_ticket
from flexibatch.domain.parties import DecisionContext
from flexibatch.domain.refdata import RefData
from flexibatch.files import make_durable, private_dir, write_private
from flexibatch.formats import dimona_csv, dimona_xml, flexi_csv, flexi_xml
from flexibatch.formats.answers import NotiEntry, NotiWriter, render_acrf, tally
from flexibatch.formats.read_ahead import ReadAhead
from flexibatch.formats.streams import DeclarationReader, Parts
from flexibatch.gc_tuning import cycles_collected_at_the_end
from flexibatch.service.dimona_batch import DimonaBatch, xml_locator
from flexibatch.service.failures import Failures, Subject
from flexibatch.service.flexi_batch import FlexiBatch, flexi_xml_locator
from flexibatch.store.base import AnswerRecord, Store, SubmissionRecord

log = structlog.get_logger()
R = TypeVar("R")

ANSWERS = "answers"
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed submission or file (the summary line an operator reads)."""

    ticket: str
    file_name: str
    folder: str | None
    outcome: str
    error_ids: tuple[str, ...] = ()
    declarations: int = 0
    accepted: int = 0
    warnings: int = 0
    refused: int = 0
    answers: tuple[str, ...] = ()


class _Refused(Exception):
    def __init__(self, problems: list[Diagnostic]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


@dataclass
class _Counts:
    declarations: int = 0
    accepted: int = 0
    warnings: int = 0
    refused: int = 0
    answers: list[str] = field(default_factory=list)


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    return digest.hexdigest()


def _is_xml(first: Path, extension: str | None) -> bool:
    """SPEC 1.1: the extension decides; otherwise XML when the first non-blank character is `<`."""
    if extension is not None:
        return extension == "xml"
    with first.open("rb") as handle:
        head = handle.read(4096).removeprefix(_UTF8_BOM).lstrip()
    return head.startswith(b"<")


class Processor:
    """Processes ready submissions; one instance per command, sharing one store."""

    def __init__(self, settings: Settings, store: Store, wall_clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.store = store
        self.wall_clock = wall_clock
        self.work = private_dir(settings.work_dir)
        #: Failures this run of a submission, for a reason of the processor's own (not the sender's).
        self.failures = 0
        self.retries = Failures(store, settings, wall_clock)
        self._loaded: tuple[int, RefData] | None = None

    def _refdata(self) -> RefData:
        """The current reference data, read again only after `refdata load` replaced it: a national
        repertory is hundreds of thousands of rows, too many to read for every one-line file."""
        version = self.store.refdata_version()
        if self._loaded is None or self._loaded[0] != version:
            self._loaded = (version, self.store.refdata())
        return self._loaded[1]

    # the loop ---------------------------------------------------------------------------------

    def run_once(self, should_stop: Callable[[], bool] = lambda: False) -> list[Outcome]:
        """Finish interrupted claims, then answer everything the inbox holds that can be answered;
        what failed before waits for its next attempt (flexibatch/service/failures.py)."""
        recovery = Recovery(self.settings.inbox, self.settings.business_now, self._received)
        outcomes = [o for taken in orphaned_claims(self.work, recovery) if (o := self._recover(taken))]
        view = scan(
            self.settings.inbox,
            self.settings.settle_seconds,
            self.settings.go_timeout_seconds,
            self.wall_clock(),
        )
        jobs: list[tuple[list[Drop], str, list[Diagnostic]]] = []
        jobs += [([drop for _, drop in pending.drops], "SUBMISSION", []) for pending in view.ready]
        for pending in view.timed_out:
            jobs.append(([drop for _, drop in pending.drops], "TIMEOUT", [incomplete(pending)]))
        jobs += [([drop], "FOREIGN", problems) for drop, problems in view.foreign]
        for drops, kind, problems in jobs:
            if should_stop():
                break
            if outcome := self._take(drops, kind, problems):
                outcomes.append(outcome)
        self.retries.forget_stale(self.settings.inbox, claims_dir(self.work))
        return outcomes

    def _recover(self, taken: Claim) -> Outcome | None:
        subject = Subject.claimed(taken)
        if self.retries.postponed(subject):
            taken.release()
            return None
        return self._finish_safely(taken, subject, recovered=True)

    def _take(self, drops: list[Drop], kind: str, problems: list[Diagnostic]) -> Outcome | None:
        """Claim one submission and finish it. A failure to claim it is its own: its files stay in
        the inbox and it is tried again later."""
        subject = Subject.in_inbox(drops)
        if self.retries.postponed(subject):
            return None
        ticket = self._new_ticket()
        try:
            taken = self._claim(drops, kind, problems, ticket)
        except Exception as error:
            self.failures += 1
            if (claims_dir(self.work) / ticket).exists():  # it took its first file: the claim's now
                self.retries.succeeded(subject)
                self.retries.failed(Subject.partly_claimed(ticket, drops), error)
            else:
                self._undo_claim(ticket)
                self.retries.failed(subject, error)
            return None
        self.retries.succeeded(subject)
        return None if taken is None else self._finish_safely(taken, Subject.claimed(taken))

    def _finish_safely(self, taken: Claim, subject: Subject, *, recovered: bool = False) -> Outcome | None:
        """A failure in one submission (a bug, a full disk) must not stop the others or lose files:
        the claim stays in its folder, with its reception time and ticket, for a later attempt, and
        goes to quarantine when given up."""
        try:
            if recovered and not resume(taken):
                return None  # its process died before it took anything: nothing to finish
            outcome = self._finish(taken)
        except Exception as error:
            self.failures += 1
            self.retries.failed(subject, error, quarantine=lambda: file_away(taken, self.work, refused=True))
            return None
        finally:
            taken.release()
        self.retries.succeeded(subject)
        return outcome

    def _received(self, ticket: str) -> tuple[str | None, datetime] | None:
        """Where and when the store says a ticket was received, for a claim that lost its record."""
        record = self.store.submission(ticket)
        return None if record is None else (record.folder or None, record.reception_time)

    def _new_ticket(self) -> str:
        ticket = new_file_ticket()
        while self.store.submission(ticket) is not None:
            ticket = new_file_ticket()
        return ticket

    def _claim(self, drops: list[Drop], kind: str, problems: list[Diagnostic], ticket: str) -> Claim | None:
        reception = self.settings.business_now()
        return claim(drops, self.work, ticket=ticket, reception=reception, kind=kind, diagnostics=problems)

    def _undo_claim(self, ticket: str) -> None:
        """What a claim that did not take its first file left (inbox.claim's folders): nothing of
        the sender's is in them, and on a full disk the space is wanted."""
        root = claims_dir(self.work)
        for leftover in (root / f".new-{ticket}", root / ticket):
            shutil.rmtree(leftover, ignore_errors=True)

    def _finish(self, taken: Claim) -> Outcome:
        """Decide (unless committed before a crash), publish, file away."""
        started = time.perf_counter()
        logger = log.bind(ticket=taken.ticket, file=taken.file_name, folder=taken.folder)
        record = self.store.submission(taken.ticket)
        counts = _Counts()
        if record is None:
            record, counts = self._decide(taken)
        self._publish(taken)
        file_away(taken, self.work, refused=record.outcome != "ACCEPTED")
        outcome = Outcome(
            ticket=taken.ticket,
            file_name=taken.file_name,
            folder=taken.folder,
            outcome=record.outcome,
            error_ids=tuple(code for code in record.error_ids.split(",") if code),
            declarations=record.declarations,
            accepted=record.accepted,
            warnings=record.warnings,
            refused=record.refused,
            answers=tuple(counts.answers),
        )
        logger.info(
            "submission answered",
            outcome=outcome.outcome,
            error_ids=list(outcome.error_ids),
            declarations=outcome.declarations,
            accepted=outcome.accepted,
            warnings=outcome.warnings,
            refused=outcome.refused,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return outcome

    # deciding ---------------------------------------------------------------------------------

    def _decide(self, taken: Claim) -> tuple[SubmissionRecord, _Counts]:
        private_dir(taken.directory / ANSWERS)
        names = [parse_name(name) for name in taken.files] if taken.kind != "FOREIGN" else []
        channel_names = [n for n in names if isinstance(n, ChannelName)]
        key = channel_names[0].key if channel_names else None
        sha = None
        try:
            if taken.kind != "SUBMISSION":
                raise _Refused(taken.problems())
            assert key is not None
            if any(path.is_symlink() for path in taken.data_files):  # never follow: it may point anywhere
                raise _Refused(
                    [diagnostic("ACRF-901", "A link is not accepted in the inbox: drop the file itself.")]
                )
            sha = _sha256(taken.data_files) if self._size_ok(taken) else None
            with self.store.transaction():
                counts = self._decide_submission(taken, channel_names, key, sha)
                record = self._record(taken, key, sha, problems=[], counts=counts)
                counts.answers = self._register_answers(taken, key, accepted=True)
                self.store.record_submission(record)
                self.store.record_answers(self._answer_records(taken, counts.answers))
            return record, counts
        except _Refused as refused:
            return self._refuse(taken, key, sha, refused.problems)

    def _data_bytes(self, taken: Claim) -> int:
        return sum(path.stat().st_size for path in taken.data_files)

    def _size_ok(self, taken: Claim) -> bool:
        return self._data_bytes(taken) <= self.settings.max_file_bytes

    def _decide_submission(
        self, taken: Claim, names: list[ChannelName], key: SubmissionKey, sha: str | None
    ) -> _Counts:
        """Check the file, then decide its declarations; raise _Refused with every problem found."""
        problems = name_diagnostics(names, taken.folder, taken.reception)
        refdata = self._refdata()
        if key.sender not in refdata.senders:
            problems.append(diagnostic("ACRF-190", f"Sender {key.sender} is unknown."))
        if sha is None:
            problems.append(
                diagnostic("ACRF-184", f"The file is larger than {self.settings.max_file_bytes} bytes.")
            )
            raise _Refused(problems)
        if self.store.name_used(
            taken.folder or "", (key.purpose, key.sender, key.date, key.sequence, key.env)
        ):
            problems.append(
                diagnostic("ACRF-133", f"The name {taken.file_name} was already used by this sender.")
            )
        if (earlier := self.store.content_received(sha, key.env)) is not None:
            problems.append(diagnostic("ACRF-134", f"The same content was already received as {earlier}."))
        data = [n for n in names if n.kind.value == "FI"]
        as_xml = _is_xml(taken.data_files[0], data[0].extension)
        ctx = DecisionContext(
            env=key.env,
            sender=key.sender,
            purpose=key.purpose,
            reception=taken.reception,
            refdata=refdata,
            joint_committees=frozenset(self.settings.joint_committees),
        )
        size = self.settings.batch_size
        if key.purpose == "DIMN":
            dimona = DimonaBatch(
                self.store, ctx, taken.ticket, xml_locator if as_xml else dimona_csv.csv_locator
            )
            dimona_read = (
                self._xml_reader(
                    taken,
                    dimona_xml.dimona_reader,
                    dimona_xml.dimona_row_reader,
                    dimona_xml.declaration_from_row,
                )
                if as_xml
                else dimona_csv.dimona_csv_reader(size)
            )
            return self._decide_all(taken, dimona_read, dimona.decide, problems)
        locate = flexi_xml_locator if as_xml else flexi_csv.csv_locator
        flexi = FlexiBatch(self.store, ctx, taken.ticket, self.settings.ceilings, locate)
        flexi_read = (
            self._xml_reader(
                taken, flexi_xml.flexi_reader, flexi_xml.flexi_row_reader, flexi_xml.declaration_from_row
            )
            if as_xml
            else flexi_csv.flexi_csv_reader(size)
        )
        return self._decide_all(taken, flexi_read, flexi.decide, problems)

    def _xml_reader(
        self,
        taken: Claim,
        in_place: Callable[[int], DeclarationReader[R]],
        rows: Callable[[int], DeclarationReader[Any]],
        from_row: Callable[[Any], R],
    ) -> DeclarationReader[R]:
        """A large file is read by a second process (formats/read_ahead), a small one here."""
        if self._data_bytes(taken) >= self.settings.read_ahead_bytes:
            return ReadAhead(rows, from_row, self.settings.batch_size)
        return in_place(self.settings.batch_size)

    def _decide_all(
        self,
        taken: Claim,
        reader: DeclarationReader[R],
        decide: Callable[[list[R]], list[NotiEntry]],
        problems: list[Diagnostic],
    ) -> _Counts:
        """Read the file batch by batch, deciding while it is sound; write the NOTI as it goes."""
        counts = _Counts()
        stream = Parts(taken.data_files)
        answers = taken.directory / ANSWERS
        try:
            with (
                NotiWriter(
                    answers / "noti.xml", answers / "noti.csv", taken.file_name, taken.ticket, taken.reception
                ) as noti,
                cycles_collected_at_the_end(),
            ):
                for batch in reader.read(stream):
                    if problems:
                        continue  # keep reading: the receipt lists every problem of the file
                    entries = decide(batch.records)
                    noti.add(entries)
                    accepted, warnings, refused = tally(entries)
                    counts.accepted += accepted
                    counts.warnings += warnings
                    counts.refused += refused
                    counts.declarations += len(entries)
                    if len(batch.records) >= self.settings.batch_size:
                        log.info("deciding", ticket=taken.ticket, declarations=counts.declarations)
        finally:
            stream.close()
        problems += reader.diagnostics
        if problems:
            raise _Refused(problems)
        return counts

    def _record(
        self,
        taken: Claim,
        key: SubmissionKey | None,
        sha: str | None,
        *,
        problems: list[Diagnostic],
        counts: _Counts,
    ) -> SubmissionRecord:
        return SubmissionRecord(
            ticket=taken.ticket,
            folder=taken.folder or "",
            file_name=taken.file_name,
            purpose=key.purpose if key else None,
            sender=key.sender if key else None,
            file_date=key.date if key else None,
            sequence=key.sequence if key else None,
            env=key.env if key else None,
            sha256=sha,
            reception_time=taken.reception,
            outcome="REFUSED" if problems else "ACCEPTED",
            error_ids=",".join(dict.fromkeys(p.code for p in problems)),
            declarations=counts.declarations,
            accepted=counts.accepted,
            warnings=counts.warnings,
            refused=counts.refused,
        )

    def _refuse(
        self, taken: Claim, key: SubmissionKey | None, sha: str | None, problems: list[Diagnostic]
    ) -> tuple[SubmissionRecord, _Counts]:
        counts = _Counts()
        for partial in (taken.directory / ANSWERS).glob("noti.*"):
            partial.unlink()  # a refused file gets no NOTI
        with self.store.transaction():
            record = self._record(taken, key, sha, problems=problems, counts=counts)
            counts.answers = self._register_answers(taken, key, accepted=False)
            acrf = render_acrf(taken.file_name, None, problems, taken.reception)
            write_private(taken.directory / ANSWERS / counts.answers[0], acrf)
            make_durable([taken.directory / ANSWERS / counts.answers[0]])
            self.store.record_submission(record)
            self.store.record_answers(self._answer_records(taken, counts.answers))
        return record, counts

    # answers ----------------------------------------------------------------------------------

    def _name_free(self, folder: str | None, name: str) -> bool:
        in_outbox = (self.settings.outbox / folder if folder else self.settings.outbox) / name
        return not self.store.answer_name_taken(folder or "", name) and not in_outbox.exists()

    def _register_answers(self, taken: Claim, key: SubmissionKey | None, *, accepted: bool) -> list[str]:
        """Choose the answers' names (a taken name gets .2, .3, ...) and put their files in place."""
        counter = 1
        while True:
            if key is None:
                names = [error_answer_name(taken.file_name, counter)]
            elif accepted:
                names = [
                    answer_name("ACRF", key, counter),
                    answer_name("NOTI", key, counter, "csv"),
                    answer_name("NOTI", key, counter),
                ]
            else:
                names = [answer_name("ACRF", key, counter)]
            if all(self._name_free(taken.folder, name) for name in names):
                break
            counter += 1
        answers = taken.directory / ANSWERS
        if accepted:
            write_private(answers / names[0], render_acrf(taken.file_name, taken.ticket, [], taken.reception))
            (answers / "noti.csv").replace(answers / names[1])
            (answers / "noti.xml").replace(answers / names[2])
            make_durable([answers / name for name in names])
        return names

    def _answer_records(self, taken: Claim, names: list[str]) -> Iterator[AnswerRecord]:
        for position, name in enumerate(names, start=1):
            yield AnswerRecord(taken.ticket, position, taken.folder or "", name)

    def _publish(self, taken: Claim) -> None:
        """Publish the answers not yet published, each recorded as soon as it is in the outbox: a
        client may fetch and delete the receipt before the NOTI fails (a full disk), and a recovery
        must not put the receipt there again (SPEC 1.3, exactly once)."""
        pending = self.store.unpublished_answers(taken.ticket)
        if not pending:
            return
        target = outbox_folder(self.settings.outbox, taken.folder)
        for answer in pending:
            publish(
                taken.directory / ANSWERS / answer.name,
                target,
                answer.name,
                with_marker=not answer.name.endswith(".csv"),
            )
            with self.store.transaction():
                self.store.mark_published(taken.ticket, answer.order)
