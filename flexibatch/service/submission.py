"""One claimed submission decided, from its files to its answers, in one unit of work.

The file-level checks (names, sender, size, a name or a content received before), then the reader
its purpose and content type call for (service/purposes.py), batch by batch into the bulk decider
while the NOTI is written as it goes; the state changes, the counters, the submission record and
the names of its answers are committed in one transaction. A file-level problem found late (a
schema error in the last batch) rolls all of it back and the file is refused instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from flexibatch.channel.claims import Claim, ClaimKind
from flexibatch.channel.names import ChannelName, Role, SubmissionKey, name_diagnostics, parse_name
from flexibatch.config import Settings
from flexibatch.domain.anomalies import N_, Diagnostic, diagnostic
from flexibatch.domain.parties import DecisionContext
from flexibatch.domain.refdata import RefData
from flexibatch.domain.results import SubmissionOutcome
from flexibatch.files import make_durable, private_dir, write_private
from flexibatch.formats.answers import NotiWriter, render_acrf
from flexibatch.formats.csv_bytes import first_line, separator_of
from flexibatch.formats.streams import FormBatch, Parts
from flexibatch.gc_tuning import cycles_collected_at_the_end
from flexibatch.i18n import Translate, sender_language, translator
from flexibatch.service.answers import NOTI_CSV, NOTI_XML, Answers, answers_dir
from flexibatch.service.purposes import PURPOSES, Decide
from flexibatch.service.tallies import Tallies
from flexibatch.store.base import SubmissionRecord
from flexibatch.store.ports import Store

log = structlog.get_logger()

_UTF8_BOM = b"\xef\xbb\xbf"


class _Refused(Exception):
    def __init__(self, problems: list[Diagnostic]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


@dataclass
class Counts:
    """What a submission's declarations came to, and the names of its answers."""

    declarations: int = 0
    accepted: int = 0
    warnings: int = 0
    refused: int = 0
    answers: list[str] = field(default_factory=list)
    #: Per employer and per ErrorID, for the report.
    tallies: Tallies = field(default_factory=Tallies)


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


def data_bytes(taken: Claim) -> int:
    return sum(path.stat().st_size for path in taken.data_files)


def _progress(ticket: str, declarations: int, stream: Parts, total: int) -> None:
    """A long file's progress: the declarations decided, the bytes read of the total, the share."""
    log.info(
        "deciding",
        ticket=ticket,
        declarations=declarations,
        read_bytes=stream.consumed,
        total_bytes=total,
        percent=round(100 * stream.consumed / total, 1) if total else 100.0,
    )


def _record(
    taken: Claim,
    key: SubmissionKey | None,
    sha: str | None,
    *,
    problems: list[Diagnostic],
    counts: Counts,
) -> SubmissionRecord:
    """What the submission log keeps of one answered submission."""
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
        outcome=SubmissionOutcome.REFUSED if problems else SubmissionOutcome.ACCEPTED,
        error_ids=tuple(dict.fromkeys(p.code for p in problems)),
        declarations=counts.declarations,
        accepted=counts.accepted,
        warnings=counts.warnings,
        refused=counts.refused,
    )


class SubmissionDecider:
    """Decides claimed submissions; one instance per processor, sharing its store."""

    def __init__(self, settings: Settings, store: Store, answers: Answers) -> None:
        self.settings = settings
        self.store = store
        self.answers = answers
        self._loaded: tuple[int, RefData] | None = None
        #: Called after every batch of a file: `watch` pings systemd's watchdog from it.
        self.heartbeat: Callable[[], None] = lambda: None

    def _refdata(self) -> RefData:
        """The current reference data, read again only after `refdata load` replaced it: a national
        repertory is hundreds of thousands of rows, too many to read for every one-line file."""
        version = self.store.refdata.version()
        if self._loaded is None or self._loaded[0] != version:
            self._loaded = (version, self.store.refdata.current())
        return self._loaded[1]

    def _translator(self, key: SubmissionKey | None) -> Translate:
        """SPEC 9: the sender's language, else default_language (an unknown sender, a foreign name)."""
        languages = self._refdata().languages
        return translator(
            sender_language(languages, key.sender if key else None, self.settings.default_language)
        )

    def decide(self, taken: Claim) -> tuple[SubmissionRecord, Counts]:
        """Decide the claim and commit it with the names of its answers, accepted or refused."""
        private_dir(answers_dir(taken))
        names = [parse_name(name) for name in taken.files] if taken.kind != ClaimKind.FOREIGN else []
        channel_names = [n for n in names if isinstance(n, ChannelName)]
        key = channel_names[0].key if channel_names else None
        sha = None
        try:
            if taken.kind != ClaimKind.SUBMISSION:
                raise _Refused(taken.problems())
            assert key is not None
            if any(path.is_symlink() for path in taken.data_files):  # never follow: it may point anywhere
                raise _Refused(
                    [diagnostic("ACRF-901", N_("A link is not accepted in the inbox: drop the file itself."))]
                )
            sha = _sha256(taken.data_files) if data_bytes(taken) <= self.settings.max_file_bytes else None
            with self.store.transaction():
                counts = self._decide_submission(taken, channel_names, key, sha)
                record = _record(taken, key, sha, problems=[], counts=counts)
                counts.answers = self.answers.register(taken, key, accepted=True)
                self.store.submissions.record(record)
                self.store.tallies.record(
                    counts.tallies.error_records(taken.ticket), counts.tallies.employer_records(taken.ticket)
                )
                self.store.answers.record(self.answers.records(taken, counts.answers))
            return record, counts
        except _Refused as refused:
            return self._refuse(taken, key, sha, refused.problems)

    def _file_problems(
        self, taken: Claim, names: list[ChannelName], key: SubmissionKey, sha: str | None, refdata: RefData
    ) -> list[Diagnostic]:
        """The file-level checks (SPEC 1, 2); too large a file is refused before it is read."""
        problems = name_diagnostics(names, taken.folder, taken.reception)
        if key.sender not in refdata.senders:
            problems.append(diagnostic("ACRF-190", N_("Sender {sender} is unknown."), sender=key.sender))
        if sha is None:
            problems.append(
                diagnostic(
                    "ACRF-184",
                    N_("The file is larger than {limit} bytes."),
                    limit=self.settings.max_file_bytes,
                )
            )
            raise _Refused(problems)
        if self.store.submissions.name_used((key.purpose, key.sender, key.date, key.sequence, key.env)):
            problems.append(
                diagnostic(
                    "ACRF-133", N_("The name {name} was already used by this sender."), name=taken.file_name
                )
            )
        if (earlier := self.store.submissions.content_received(sha, key.env)) is not None:
            problems.append(
                diagnostic("ACRF-134", N_("The same content was already received as {name}."), name=earlier)
            )
        return problems

    def _decide_submission(
        self, taken: Claim, names: list[ChannelName], key: SubmissionKey, sha: str | None
    ) -> Counts:
        """Check the file, then decide its declarations; raise _Refused with every problem found."""
        refdata = self._refdata()
        problems = self._file_problems(taken, names, key, sha, refdata)
        data = [n for n in names if n.role is Role.DATA]
        as_xml = _is_xml(taken.data_files[0], data[0].extension)
        ctx = DecisionContext(
            env=key.env,
            sender=key.sender,
            purpose=key.purpose,
            reception=taken.reception,
            refdata=refdata,
            joint_committees=frozenset(self.settings.joint_committees),
        )
        purpose = PURPOSES[key.purpose]
        read_ahead = data_bytes(taken) >= self.settings.read_ahead_bytes
        reader = purpose.reader(as_xml, self.settings.batch_size, read_ahead=read_ahead)
        decide = purpose.decide(self.store, ctx, taken.ticket, self.settings)
        separator = (
            self.settings.answer_csv_separator if as_xml else separator_of(first_line(taken.data_files[0]))
        )
        answers = answers_dir(taken)
        stream = Parts(taken.data_files)
        try:
            with (
                NotiWriter(
                    answers / NOTI_XML,
                    answers / NOTI_CSV,
                    taken.file_name,
                    taken.ticket,
                    taken.reception,
                    identification=purpose.identification,
                    purpose=purpose.code,
                    locate=purpose.format(as_xml).locate,
                    translate=self._translator(key),
                    separator=separator,
                ) as noti,
                cycles_collected_at_the_end(),
            ):
                counts = self._decide_all(
                    taken.ticket, stream, reader.read(stream), decide, noti, problems=problems
                )
        finally:
            stream.close()
        problems += reader.diagnostics
        if problems:
            raise _Refused(problems)
        return counts

    def _decide_all(
        self,
        ticket: str,
        stream: Parts,
        batches: Iterable[FormBatch[Any]],
        decide: Decide[Any],
        noti: NotiWriter,
        *,
        problems: list[Diagnostic],
    ) -> Counts:
        """Decide the file batch by batch while it is sound, writing the NOTI as it goes."""
        counts, total = Counts(), stream.total
        for batch in batches:
            if problems:
                continue  # keep reading: the receipt lists every problem of the file
            decided = decide(batch.records)
            noti.add(decided)
            accepted, warnings, refused = counts.tallies.add(decided)
            counts.accepted += accepted
            counts.warnings += warnings
            counts.refused += refused
            counts.declarations += len(decided)
            self.heartbeat()
            if len(batch.records) >= self.settings.batch_size:
                _progress(ticket, counts.declarations, stream, total)
        return counts

    def _refuse(
        self, taken: Claim, key: SubmissionKey | None, sha: str | None, problems: list[Diagnostic]
    ) -> tuple[SubmissionRecord, Counts]:
        counts = Counts()
        for partial in answers_dir(taken).glob("noti.*"):
            partial.unlink()  # a refused file gets no NOTI
        with self.store.transaction():
            record = _record(taken, key, sha, problems=problems, counts=counts)
            counts.answers = self.answers.register(taken, key, accepted=False)
            acrf = render_acrf(taken.file_name, None, problems, taken.reception, self._translator(key))
            write_private(answers_dir(taken) / counts.answers[0], acrf)
            make_durable([answers_dir(taken) / counts.answers[0]])
            self.store.submissions.record(record)
            self.store.answers.record(self.answers.records(taken, counts.answers))
        return record, counts
