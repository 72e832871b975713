"""Store rows to records and records to rows: plain functions over fixed-length tuples.

A batch turns thousands of rows into periods and situations and changes into rows; the
repositories (periods.py, situations.py) only run the statements."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from json.encoder import encode_basestring_ascii
from typing import Any

from flexibatch.domain.dimona import Period, PeriodChange, PeriodStatus, Schedule, hhmm, hour_of, iso_day
from flexibatch.domain.flexi import CalculationSummary, Situation, SituationChange, SituationStatus
from flexibatch.store.base import VersionRecord
from flexibatch.store.sqlite.versions import Version

_STATUS = {status.value: status for status in PeriodStatus}

#: How a row says "none" when it is written. Python's sqlite3 passes every None it binds (and every
#: str subclass, such as an enum's member) through its adapter registry, which a str skips
#: (docs/performance.md, "Measured costs"); so the columns that may be NULL are bound as '' and the statements turn that back into
#: NULL (`NULLIF(?, '')`, `values` and `assignments` below). None of them ever holds an empty text:
#: they are numbers, dates and hours, or nothing.
EMPTY = ""
NULLABLE = frozenset({"noss", "company_id", "insz", "start_hour", "end_date", "end_hour"})


def _bound(column: str) -> str:
    return "NULLIF(?, '')" if column in NULLABLE else "?"


def values(columns: Sequence[str]) -> str:
    """The placeholders of an INSERT's `columns`."""
    return ", ".join(map(_bound, columns))


def assignments(columns: Sequence[str]) -> str:
    """The SET list of an UPDATE of `columns`."""
    return ", ".join(f"{column} = {_bound(column)}" for column in columns)


def _hour(value: time | None) -> str:
    return EMPTY if value is None else hhmm(value)


def _parse_hour(value: str | None) -> time | None:
    return None if value is None else hour_of(value)


def parse_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def period_from_row(row: Sequence[Any]) -> Period:
    start_date = date.fromisoformat(row[7])
    return Period(
        period_id=row[0],
        env=row[1],
        employer_key=row[2],
        noss=row[3],
        company_id=row[4],
        worker_key=row[5],
        insz=row[6],
        schedule=Schedule(start_date, _parse_hour(row[8]), parse_date(row[9]), _parse_hour(row[10])),
        status=_STATUS[row[11]],
        version=row[12],
    )


def period_version(change: PeriodChange, stamp: str) -> Version:
    """The columns `_INSERTED` of a new period, or `_UPDATED` of a new version (periods.py),
    each tuple written out in one piece: built from starred parts, it takes twice as long compiled
    (docs/performance.md, "Measured costs")."""
    p = change.period
    s = p.schedule
    start, start_hour, end_hour = iso_day(s.start_date), _hour(s.start_hour), _hour(s.end_hour)
    end_date = iso_day(s.end_date) if s.end_date else EMPTY
    last_day = iso_day(s.last_day)
    status, action = str(p.status), str(change.action)
    declaration, submission = change.declaration_ticket, change.submission_ticket
    if p.version > 1:
        return (
            (p.period_id,),
            False,
            (
                start,
                start_hour,
                end_date,
                end_hour,
                last_day,
                status,
                p.version,
                action,
                declaration,
                submission,
                stamp,
            ),
        )
    return (
        (p.period_id,),
        True,
        (
            p.period_id,
            p.env,
            p.employer_key,
            p.noss or EMPTY,
            p.company_id or EMPTY,
            p.worker_key,
            p.insz or EMPTY,
            start,
            start_hour,
            end_date,
            end_hour,
            status,
            p.version,
            last_day,
            change.sender,
            action,
            declaration,
            submission,
            stamp,
        ),
    )


def situation_version(change: SituationChange, stamp: str) -> Version:
    s = change.situation
    key = (s.env, s.employer_key, s.insz, s.relation_id)
    noss, company_id, status = s.noss or EMPTY, s.company_id or EMPTY, str(s.status)
    calculations = dump_calculations(s.calculations)
    first_day, last_day = situation_span(s.calculations)
    # One tuple written out, not built from starred parts (see period_version); a new situation's
    # row is its key's columns and these, joined in C.
    declared = (
        noss,
        company_id,
        status,
        s.version,
        calculations,
        first_day,
        last_day,
        change.sender,
        change.action,
        change.declaration_ticket,
        change.submission_ticket,
        stamp,
    )
    return (key, True, key + declared) if s.version == 1 else (key, False, declared)


def dump_calculations(calculations: Iterable[CalculationSummary]) -> str:
    """`json.dumps` of the calculations as [start, end, worker code, wage, premium, validity]
    lists (validity: [[start, end], ...], migration 9), written out: `json.dumps` costs some
    microseconds a call before it encodes anything (its encoder is made anew each time), and a
    FLEX file writes one of these per payslip. The worker code is quoted by the C function
    `json.dumps` itself uses; dates and integers need no quoting."""
    return (
        "["
        + ", ".join(
            [
                f'["{iso_day(c.start)}", "{iso_day(c.end)}", {encode_basestring_ascii(c.worker_code)}, '
                f"{c.wage}, {c.premium}, [{_validity(c.validity)}]]"
                for c in calculations
            ]
        )
        + "]"
    )


def _validity(periods: Iterable[tuple[date, date]]) -> str:
    return ", ".join([f'["{iso_day(start)}", "{iso_day(end)}"]' for start, end in periods])


def situation_span(calculations: Iterable[CalculationSummary]) -> tuple[str, str]:
    """The first and last day of a situation's calculation periods (the `first_day` and `last_day`
    columns, migration 9): every validity period lies inside them (95020-003). A situation always
    has a calculation (95001-005); one without would have no day, written as two empty texts."""
    days = [day for c in calculations for day in (c.start, c.end)]
    return (iso_day(min(days)), iso_day(max(days))) if days else (EMPTY, EMPTY)


def _summary(stored: Sequence[Any]) -> CalculationSummary:
    start, end, code, wage, premium = stored[:5]
    validity = (
        tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in stored[5]) if stored[5:] else ()
    )
    return CalculationSummary(
        date.fromisoformat(start), date.fromisoformat(end), code, wage, premium, validity
    )


def situation_from_row(row: Sequence[Any]) -> Situation:
    calculations = tuple(map(_summary, json.loads(row[8])))
    return Situation(
        row[0], row[1], row[2], row[3], row[4], row[5], SituationStatus(row[6]), row[7], calculations
    )


def version_record(row: Sequence[Any]) -> VersionRecord:
    """A row of a history table or a current row: version, action or kind, status, who, when."""
    return VersionRecord(int(row[0]), row[1], row[2], row[3], row[4], datetime.fromisoformat(row[5]))
