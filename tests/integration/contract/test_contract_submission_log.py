"""The submission log's contract: submissions, answers and failures, on every backend."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from flexibatch.domain.results import FileOutcome, SubmissionOutcome, file_outcome
from flexibatch.store import Store
from flexibatch.store.base import AnswerRecord, FailureRecord, SubmissionQuery, SubmissionRecord
from support.backends import Backend

RECEIVED = datetime(2026, 6, 24, 11, 50, 0, 123000)


def submission(
    ticket: str,
    *,
    sender: str = "123456",
    sequence: str = "00001",
    env: str = "R",
    sha256: str | None = "sha-a",
    outcome: str = "ACCEPTED",
    received: datetime = RECEIVED,
) -> SubmissionRecord:
    return SubmissionRecord(
        ticket,
        sender,
        f"FI.DIMN.{sender}.20260624.{sequence}.{env}.1.1.xml",
        "DIMN",
        sender,
        "20260624",
        sequence,
        env,
        sha256,
        received,
        SubmissionOutcome(outcome),
        ("ACRF-133",) if outcome == "REFUSED" else (),
        3,
        2,
        1,
        0,
    )


def test_a_submission_reads_back_as_recorded(store: Store) -> None:
    record = submission("T1")
    with store.transaction():
        store.submissions.record(record)
    assert store.submissions.by_ticket("T1") == record
    assert store.submissions.by_ticket("T2") is None


def test_a_submission_without_a_name_key_reads_back_with_its_nones(store: Store) -> None:
    """A file refused before its name was read: purpose, sender, date, sequence, env, sha unknown."""
    record = SubmissionRecord(
        "T1", "123456", "junk.txt", None, None, None, None, None, None, RECEIVED, "REFUSED"
    )
    with store.transaction():
        store.submissions.record(record)
    assert store.submissions.by_ticket("T1") == record


def test_the_latest_submissions_come_newest_first_and_limited(store: Store) -> None:
    with store.transaction():
        for minute in range(5):
            store.submissions.record(submission(f"T{minute}", received=RECEIVED.replace(minute=minute)))
    assert [r.ticket for r in store.submissions.latest(3)] == ["T4", "T3", "T2"]


def test_the_latest_submissions_are_filtered_by_sender_day_and_file_outcome(store: Store) -> None:
    """`status --sender/--since/--outcome`: each filter narrows the list, and the file outcome the
    store filters on is the one `file_outcome` gives each record."""
    counts = [(3, 0, 0), (3, 1, 0), (3, 0, 1), (3, 0, 3), (2, 2, 2)]  # declarations, warnings, refused
    records = []
    for day, (declarations, warnings, refused) in enumerate(counts, start=20):
        base = submission(
            f"T{day}", sender="123456" if day % 2 else "654321", received=RECEIVED.replace(day=day)
        )
        records.append(
            dataclasses.replace(base, declarations=declarations, warnings=warnings, refused=refused)
        )
    records.append(submission("T99", outcome="REFUSED", received=RECEIVED.replace(day=25)))
    with store.transaction():
        for record in records:
            store.submissions.record(record)

    def tickets(**query: object) -> list[str]:
        return [r.ticket for r in store.submissions.latest(100, SubmissionQuery(**query))]  # type: ignore[arg-type]

    assert tickets(sender="654321") == ["T24", "T22", "T20"]
    assert tickets(since=date(2026, 6, 23)) == ["T99", "T24", "T23"]
    for outcome in FileOutcome:
        expected = [
            r.ticket
            for r in sorted(records, key=lambda r: r.reception_time, reverse=True)
            if file_outcome(r.outcome, r.declarations, r.warnings, r.refused) is outcome
        ]
        assert tickets(outcome=outcome) == expected, outcome
        assert expected, f"the records show {outcome} too"
    assert tickets(sender="123456", outcome=FileOutcome.REFUSED) == ["T99"]


def test_a_name_is_used_once_accepted_by_its_sender_in_its_environment(store: Store) -> None:
    with store.transaction():
        store.submissions.record(submission("T1", sequence="00001"))
        store.submissions.record(submission("T2", sequence="00002", outcome="REFUSED"))
    key = ("DIMN", "123456", "20260624", "00001", "R")
    assert store.submissions.name_used(key)
    assert not store.submissions.name_used(("DIMN", "123456", "20260624", "00002", "R")), "refused"
    assert not store.submissions.name_used(("DIMN", "654321", "20260624", "00001", "R")), "other sender"
    assert not store.submissions.name_used(("DIMN", "123456", "20260624", "00001", "T")), "other env"
    assert not store.submissions.name_used(("FLEX", "123456", "20260624", "00001", "R")), "other purpose"


def test_content_is_received_once_accepted_in_its_environment(store: Store) -> None:
    with store.transaction():
        store.submissions.record(submission("T1", sha256="sha-a", env="T"))
        store.submissions.record(submission("T2", sequence="00002", sha256="sha-b", outcome="REFUSED"))
    assert store.submissions.content_received("sha-a", "T") == "FI.DIMN.123456.20260624.00001.T.1.1.xml"
    assert store.submissions.content_received("sha-a", "R") is None, "tried in T, may go to R"
    assert store.submissions.content_received("sha-b", "R") is None, "refused bytes may come again"


def test_answers_publish_one_by_one_in_order(store: Store) -> None:
    with store.transaction():
        store.submissions.record(submission("T1"))
        store.answers.record(AnswerRecord("T1", order, "123456", f"FO.ANSWER.{order}") for order in (1, 2, 3))
    assert store.answers.name_taken("123456", "FO.ANSWER.2")
    assert not store.answers.name_taken("654321", "FO.ANSWER.2"), "a name is taken in its folder"
    assert [a.order for a in store.answers.unpublished("T1")] == [1, 2, 3]
    with store.transaction():
        store.answers.mark_published("T1", 1)
    assert store.answers.unpublished("T1") == [
        AnswerRecord("T1", 2, "123456", "FO.ANSWER.2"),
        AnswerRecord("T1", 3, "123456", "FO.ANSWER.3"),
    ]
    assert store.answers.unpublished("T9") == []


def failure(subject: str, attempts: int, minute: int) -> FailureRecord:
    failed = datetime(2026, 6, 24, 12, minute, 0)
    return FailureRecord(
        "CLAIM",
        subject,
        "123456",
        subject.rsplit("/", maxsplit=1)[-1],
        attempts,
        "disk full",
        failed,
        failed,
        "fp",
    )


def test_a_failure_is_replaced_listed_oldest_first_and_forgotten(store: Store) -> None:
    with store.transaction():
        store.failures.record(failure("123456/FI.B", 1, 5))
        store.failures.record(failure("123456/FI.A", 1, 9))
    with store.transaction():
        store.failures.record(replaced := failure("123456/FI.B", 2, 30))
    assert store.failures.by_subject("CLAIM", "123456/FI.B") == replaced
    assert store.failures.by_subject("FINISH", "123456/FI.B") is None
    assert [(f.subject, f.attempts) for f in store.failures.all()] == [("123456/FI.A", 1), ("123456/FI.B", 2)]
    with store.transaction():
        store.failures.forget("CLAIM", "123456/FI.A")
    assert [f.subject for f in store.failures.all()] == ["123456/FI.B"]


def test_a_failure_given_up_keeps_where_it_went(store: Store) -> None:
    record = FailureRecord(
        "FINISH", "T1", "123456", "FI.X", 5, "no space", RECEIVED.replace(microsecond=0),
        RECEIVED.replace(microsecond=0), quarantined="quarantine/T1",
    )  # fmt: skip
    with store.transaction():
        store.failures.record(record)
    assert store.failures.all() == [record]


def test_a_rolled_back_transaction_leaves_no_record_in_any_repository(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.submissions.record(submission("T1"))
        store.answers.record([AnswerRecord("T1", 1, "123456", "FO.ANSWER.1")])
        store.failures.record(failure("123456/FI.A", 1, 0))
        raise RuntimeError("the submission failed half-way")
    assert store.submissions.by_ticket("T1") is None
    assert not store.answers.name_taken("123456", "FO.ANSWER.1")
    assert store.failures.all() == []


def test_a_reader_sees_the_last_commit_and_never_an_open_transaction(backend: Backend) -> None:
    writer = backend.open()
    with writer.transaction():
        writer.submissions.record(submission("T1"))
    reader = backend.open("read")
    with writer.transaction():
        writer.submissions.record(submission("T2", sequence="00002"))
        assert writer.submissions.by_ticket("T2") is not None, "a transaction sees its own writes"
        assert reader.submissions.by_ticket("T2") is None
        assert reader.submissions.by_ticket("T1") is not None
    assert reader.submissions.by_ticket("T2") is not None
