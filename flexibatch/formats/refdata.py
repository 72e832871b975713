"""SPEC 9: reading the reference data folder (senders, employers, mandates, workers)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

from flexibatch.domain.ids import company_id_compact, company_id_is_valid, insz_is_valid, noss_is_valid
from flexibatch.domain.refdata import EmployerRecord, Mandate, RefData, WorkerStatus
from flexibatch.errors import ConfigError
from flexibatch.i18n import LANGUAGES

T = TypeVar("T")

FILES: dict[str, tuple[str, ...]] = {
    "senders.csv": ("sender", "name"),
    "employers.csv": ("noss", "company_id", "name"),
    "mandates.csv": ("sender", "noss", "company_id", "purpose", "valid_from", "valid_to"),
    "workers.csv": ("insz", "quarter", "status"),
}
#: Columns a file may leave out (SPEC 9): an empty or absent language is `default_language`.
OPTIONAL: dict[str, tuple[str, ...]] = {"senders.csv": ("language",)}


class _RowError(ValueError):
    pass


def _rows(folder: Path, name: str, parse: Callable[[dict[str, str]], T]) -> Iterator[T]:
    path = folder / name
    if not path.is_file():
        raise ConfigError(f"{path}: missing (a reference data folder holds {', '.join(FILES)})")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(h.strip().lower() for h in reader.fieldnames or ())
        optional = OPTIONAL.get(name, ())
        if not set(FILES[name]) <= set(header) <= set(FILES[name] + optional) or len(set(header)) < len(
            header
        ):
            optionally = f" and optionally {', '.join(optional)}" if optional else ""
            raise ConfigError(
                f"{path}:1: the columns must be {', '.join(FILES[name])}{optionally}, not {', '.join(header)}"
            )
        reader.fieldnames = list(header)
        for row in reader:
            try:
                yield parse({k: (v or "").strip() for k, v in row.items() if k is not None})
            except _RowError as exc:
                raise ConfigError(f"{path}:{reader.line_num}: {exc}") from None


def _optional_noss(value: str) -> str | None:
    if value and not noss_is_valid(value):
        raise _RowError(f"RSZ number {value!r} fails its check")
    return value or None


def _optional_company(value: str) -> str | None:
    if value and not company_id_is_valid(value):
        raise _RowError(f"enterprise number {value!r} fails its check")
    return company_id_compact(value) if value else None


def _day(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _RowError(f"{column} {value!r} is not a date YYYY-MM-DD") from None


def _sender(row: dict[str, str]) -> tuple[str, str, str]:
    """(sender, name, language); the language lower-cased, empty when not given."""
    if not re.fullmatch(r"[0-9]{6}", row["sender"]):
        raise _RowError(f"sender {row['sender']!r} is not 6 digits")
    language = row.get("language", "").lower()
    if language and language not in LANGUAGES:
        raise _RowError(f"language {row['language']!r} is not {', '.join(LANGUAGES)} or empty")
    return row["sender"], row["name"], language


def _employer(row: dict[str, str]) -> EmployerRecord:
    noss, company = _optional_noss(row["noss"]), _optional_company(row["company_id"])
    if not (noss or company):
        raise _RowError("an employer needs an RSZ number or an enterprise number")
    return EmployerRecord(noss, company, row["name"])


def _mandate(row: dict[str, str]) -> Mandate:
    sender, _, _ = _sender({"sender": row["sender"], "name": ""})
    if row["purpose"] not in ("DIMN", "FLEX", "*"):
        raise _RowError(f"purpose {row['purpose']!r} is not DIMN, FLEX or *")
    noss, company = _optional_noss(row["noss"]), _optional_company(row["company_id"])
    if not (noss or company):
        raise _RowError("a mandate names the employer by RSZ number or enterprise number")
    valid_to = _day(row["valid_to"], "valid_to") if row["valid_to"] else None
    return Mandate(sender, noss, company, row["purpose"], _day(row["valid_from"], "valid_from"), valid_to)


def _worker(row: dict[str, str]) -> tuple[tuple[str, str], WorkerStatus]:
    if not insz_is_valid(row["insz"]):
        raise _RowError(f"INSZ {row['insz']!r} fails its check")
    if not re.fullmatch(r"[0-9]{4}Q[1-4]", row["quarter"]):
        raise _RowError(f"quarter {row['quarter']!r} is not of the form 2026Q2")
    try:
        status = WorkerStatus(row["status"].upper())
    except ValueError:
        raise _RowError(f"status {row['status']!r} is not ELIGIBLE, NOT_ELIGIBLE or PENSIONER") from None
    return (row["insz"], row["quarter"]), status


def read_refdata(folder: Path) -> RefData:
    """The whole folder, checked row by row; the first bad row stops the load with file:line."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder")
    senders = list(_rows(folder, "senders.csv", _sender))
    return RefData.build(
        senders={sender: name for sender, name, _ in senders},
        languages={sender: language for sender, _, language in senders if language},
        employers=list(_rows(folder, "employers.csv", _employer)),
        mandates=list(_rows(folder, "mandates.csv", _mandate)),
        workers=dict(_rows(folder, "workers.csv", _worker)),
    )
