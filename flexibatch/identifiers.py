"""Identifiers and days as people write them on a command line: `85.03.12-123.62`, `0400.767.772`,
`BE 0400767772`, `175110801`. Each is made compact with python-stdnum and checked; a number that
fails its check is a usage error (exit 2) in one sentence, never an unknown worker with a full margin.

`employer_number` is the one place an employer given on the command line is read: `employer`,
`report` and any later view call it. `day` is every option that takes a day (`--since`, `--from`...).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date

from stdnum.be import ssn, vat
from stdnum.util import clean

from flexibatch.domain.ids import company_id_compact, company_id_is_valid, insz_is_valid, noss_is_valid
from flexibatch.errors import ConfigError


def insz(written: str) -> str:
    """The 11 digits of a national or BIS number written with dots, dashes or spaces."""
    number = ssn.compact(written)
    if not insz_is_valid(number):
        raise ConfigError(
            f"{written!r} is not a valid INSZ: give the 11 digits of a national or BIS number, "
            "such as 85.03.12-123.62 or 85031212362, whose check digits agree"
        )
    return number


@dataclass(frozen=True, slots=True)
class EmployerNumber:
    """An employer's number as given: its RSZ number, its enterprise number, or both when the nine
    digits given are valid as either (the repertory then says which employer it is)."""

    noss: str | None
    company_id: str | None


def employer_number(written: str) -> EmployerNumber:
    """An RSZ number (9 digits, `175110801`) or an enterprise number (`0400.767.772`,
    `BE 0400767772`, or 9 digits without the leading 0), compact and checked."""
    digits = clean(written, " -./").upper().removeprefix("BE")
    noss = digits if noss_is_valid(digits) else None
    number = vat.compact(digits) if digits.isdigit() else digits
    company = company_id_compact(number) if number.isdigit() and company_id_is_valid(number) else None
    if noss is None and company is None:
        raise ConfigError(
            f"{written!r} is neither an RSZ number (9 digits, such as 175110801) nor an enterprise "
            "number (10 digits, such as 0400.767.772 or BE 0400767772) whose check digits agree"
        )
    return EmployerNumber(noss, company)


def day(text: str) -> date:
    """A day on the command line, YYYY-MM-DD; anything else is a usage error naming what was written."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date written YYYY-MM-DD, such as 2026-06-24"
        ) from None
