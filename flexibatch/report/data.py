"""A period's figures read from the store into pandas frames: the only module that asks the store.

Four reads whatever the month's size: the period's submissions, their ErrorID and employer
tallies (written with the decisions, store `Tallies`), the yearly totals above a ceiling.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from flexibatch.domain.flexi import ceiling_for
from flexibatch.domain.refdata import RefData
from flexibatch.store.base import EmployerTally, ErrorTally, SubmissionRecord, YearTotal
from flexibatch.store.ports import Store

SUBMISSION_COLUMNS = [f.name for f in dataclasses.fields(SubmissionRecord)]
ERROR_COLUMNS = [f.name for f in dataclasses.fields(ErrorTally)]
EMPLOYER_COLUMNS = [f.name for f in dataclasses.fields(EmployerTally)]
TOTAL_COLUMNS = [f.name for f in dataclasses.fields(YearTotal)]


@dataclass(frozen=True, slots=True)
class PeriodData:
    """What the store holds about a period, as frames (one row per record)."""

    since: date
    until: date
    submissions: pd.DataFrame
    errors: pd.DataFrame
    employers: pd.DataFrame
    #: env, insz, year, amount and the year's ceiling (cents), pensioners left out.
    over_ceiling: pd.DataFrame
    refdata: RefData


def _frame(records: Sequence[object], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[getattr(r, c) for c in columns] for r in records], columns=columns)


def _over_ceiling(
    store: Store, since: date, until: date, ceilings: Mapping[int, int], refdata: RefData
) -> pd.DataFrame:
    """The workers whose flexi income of a year the period touches is above that year's ceiling
    (SPEC 8; a pensioner has none), as the state holds it now."""
    rows = []
    for year in range(since.year, until.year + 1):
        ceiling = ceiling_for(ceilings, year)
        if ceiling is None:
            continue
        for total in store.situations.totals_above(year, ceiling):
            if not refdata.is_pensioner(total.insz, year):
                rows.append((total.env, total.insz, total.year, total.amount, ceiling))
    return pd.DataFrame(rows, columns=[*TOTAL_COLUMNS, "ceiling"])


def read_period(store: Store, since: date, until: date, ceilings: Mapping[int, int]) -> PeriodData:
    refdata = store.refdata.current()
    submissions = _frame(store.submissions.received(since, until), SUBMISSION_COLUMNS)
    return PeriodData(
        since=since,
        until=until,
        submissions=submissions,
        errors=_frame(store.tallies.errors(since, until), ERROR_COLUMNS),
        employers=_frame(store.tallies.employers(since, until), EMPLOYER_COLUMNS),
        over_ceiling=_over_ceiling(store, since, until, ceilings, refdata),
        refdata=refdata,
    )
