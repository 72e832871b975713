"""SPEC 3: the identifiers, their checks, and the numbers the processor issues.

Enterprise numbers are python-stdnum's (`be.vat`), the INSZ its `be.ssn` answer worked out in compiled
code; the RSZ number, the period id and the declaration ticket have checks of their own that stdnum
does not know.
"""

from __future__ import annotations

import secrets
import string
from datetime import date
from functools import lru_cache

from stdnum.be import vat

_TICKET_ALPHABET = string.digits + string.ascii_uppercase


def insz_is_valid(number: str) -> bool:
    """National or BIS number: 11 digits, a birth month of the national (0-12) or BIS (20-32, 40-52)
    form, and the mod-97 check of either century.

    The same answer as python-stdnum's `be.ssn` (a Hypothesis property in tests/unit/test_ids.py
    holds the two together), some fifty times faster: stdnum's is pure Python, and even cached, one
    check per worker, it was a few per cent of a monthly file (docs/performance.md, "Measured
    costs"). Like stdnum, a number whose year has not come
    yet this century is checked as of 1900 only.
    """
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False
    month = int(number[2:4])
    if not (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52):
        return False
    body, check = int(number[:9]), int(number[9:])
    if 97 - body % 97 == check:
        return True
    return int(number[:2]) + 2000 <= date.today().year and 97 - (2_000_000_000 + body) % 97 == check


def company_id_compact(number: str) -> str:
    """The 10-digit form of an enterprise number (the 9-digit form lacks the leading 0)."""
    return "0" + number if len(number) == 9 else number


@lru_cache(maxsize=1 << 16)
def company_id_is_valid(number: str) -> bool:
    """Enterprise number: 10 digits (or 9 without the leading 0), last 2 = 97 - (first 8 mod 97).

    Cached like the INSZ: a file names the same employers again and again.
    """
    compact = company_id_compact(number)
    return len(compact) == 10 and compact.isdigit() and bool(vat.is_valid(compact))


def noss_is_valid(number: str) -> bool:
    """RSZ registration number: 9 digits, the whole number mod 97 is 96."""
    return len(number) == 9 and number.isdigit() and int(number) % 97 == 96


#: The check digits of each remainder: an f-string's format spec, parsed at every call, made issuing
#: a declaration's ticket and period id six times as costly (docs/performance.md, "Measured costs").
_CHECK_DIGITS = tuple(f"{remainder:02d}" for remainder in range(97))


def with_check(base: int) -> str:
    """A period id or declaration ticket: 10 digits, then (those 10 mod 97) on 2 digits."""
    return str(base).zfill(10) + _CHECK_DIGITS[base % 97]


def check_digits_ok(number: str) -> bool:
    """The check of a period id or declaration ticket (12 digits)."""
    return len(number) == 12 and number.isdigit() and int(number[:10]) % 97 == int(number[10:])


def new_file_ticket() -> str:
    """A file ticket: 13 characters of 0-9A-Z; uniqueness is enforced by the store."""
    return "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(13))
