"""The report's figures, aggregated with pandas from a period's frames (`data.PeriodData`).

Each function returns a small frame in the order a page shows it. Counts follow the submission
record: a declaration is accepted, accepted with a warning, or refused (the three add up).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from flexibatch.domain.ids import company_id_compact
from flexibatch.domain.refdata import RefData
from flexibatch.report.data import PeriodData

#: How many employers and senders the "most refusals" tables show.
TOP = 10
RESULTS = ["accepted", "warnings", "refused"]


def records(frame: pd.DataFrame) -> list[Any]:
    """A frame's rows as named tuples of plain values, for the pages to lay out."""
    return list(frame.itertuples(index=False))


def with_results(frame: pd.DataFrame) -> pd.DataFrame:
    """`accepted` without those accepted with a warning, so the three results add up."""
    out = frame.copy()
    out["accepted"] = out["accepted"] - out["warnings"]
    return out


def per_day(data: PeriodData) -> pd.DataFrame:
    """Every day of the period (empty ones too): submissions, files refused, declarations by result."""
    days = pd.Index([d.date() for d in pd.date_range(data.since, data.until, freq="D")], name="day")
    subs = with_results(data.submissions)
    subs["day"] = [t.date() for t in subs["reception_time"]]
    subs["files_refused"] = subs["outcome"] == "REFUSED"
    grouped = subs.groupby("day").agg(
        submissions=("ticket", "size"),
        files_refused=("files_refused", "sum"),
        accepted=("accepted", "sum"),
        warnings=("warnings", "sum"),
        refused=("refused", "sum"),
    )
    return grouped.reindex(days, fill_value=0).astype(int).reset_index()


def file_errors(data: PeriodData) -> pd.DataFrame:
    """ErrorID -> the number of submissions refused whole that carried it, most frequent first."""
    refused = data.submissions[data.submissions["outcome"] == "REFUSED"]
    codes = refused["error_ids"].explode().dropna()
    counts = codes.value_counts().rename_axis("error_id").reset_index(name="files")
    return counts.sort_values(["files", "error_id"], ascending=[False, True], ignore_index=True)


def declaration_errors(data: PeriodData) -> pd.DataFrame:
    """(ErrorID, class) -> declarations carrying it and submissions they came in, most first."""
    grouped = data.errors.groupby(["error_id", "cls"], as_index=False).agg(
        declarations=("declarations", "sum"), files=("ticket", "nunique")
    )
    return grouped.sort_values(["declarations", "error_id"], ascending=[False, True], ignore_index=True)


def employer_names(numbers: Iterable[str], refdata: RefData) -> dict[str, tuple[str, str | None]]:
    """Each declared number's repertory key and name: one employer whichever number was used
    (a number the repertory lacks is its own key, without a name)."""
    names: dict[str, tuple[str, str | None]] = {}
    for number in set(numbers):
        record = refdata.employer_by_noss(number) if len(number) == 9 else None
        record = record or (refdata.employer_by_company(company_id_compact(number)) if number else None)
        names[number] = (record.key, record.name) if record else (number, None)
    return names


def top_employers(data: PeriodData) -> pd.DataFrame:
    """The employers with the most refused declarations (none refused: not listed)."""
    if data.employers.empty:
        return pd.DataFrame(columns=["key", "name", "declarations", *RESULTS])
    names = employer_names(data.employers["employer"], data.refdata)
    frame = with_results(data.employers)
    frame["key"] = frame["employer"].map({number: key for number, (key, _) in names.items()})
    frame["name"] = frame["employer"].map({number: name for number, (_, name) in names.items()})
    frame["declarations"] = frame[RESULTS].sum(axis=1)
    grouped = frame.groupby("key", as_index=False).agg(
        name=("name", "first"), **{c: (c, "sum") for c in ["declarations", *RESULTS]}
    )
    grouped = grouped[grouped["refused"] > 0]
    return grouped.sort_values(["refused", "key"], ascending=[False, True], ignore_index=True).head(TOP)


def top_senders(data: PeriodData) -> pd.DataFrame:
    """The senders with the most refusals: refused declarations, then files refused whole."""
    subs = data.submissions.dropna(subset=["sender"]).copy()
    subs["files_refused"] = subs["outcome"] == "REFUSED"
    grouped = subs.groupby("sender", as_index=False).agg(
        submissions=("ticket", "size"),
        files_refused=("files_refused", "sum"),
        declarations=("declarations", "sum"),
        refused=("refused", "sum"),
    )
    grouped = grouped[(grouped["refused"] > 0) | (grouped["files_refused"] > 0)]
    grouped["name"] = grouped["sender"].map(data.refdata.senders)
    return grouped.sort_values(
        ["refused", "files_refused", "sender"], ascending=[False, False, True], ignore_index=True
    ).head(TOP)


@dataclass(frozen=True, slots=True)
class Totals:
    submissions: int
    accepted_files: int
    refused_files: int
    declarations: int
    accepted: int
    warnings: int
    refused: int


def totals(data: PeriodData) -> Totals:
    subs = with_results(data.submissions)
    refused_files = int((subs["outcome"] == "REFUSED").sum())
    return Totals(
        submissions=len(subs),
        accepted_files=len(subs) - refused_files,
        refused_files=refused_files,
        declarations=int(subs["declarations"].sum()),
        accepted=int(subs["accepted"].sum()),
        warnings=int(subs["warnings"].sum()),
        refused=int(subs["refused"].sum()),
    )
