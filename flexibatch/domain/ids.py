"""SPEC 3: the identifiers, their checks, and the numbers the processor issues.

INSZ and enterprise numbers are python-stdnum's (`be.ssn`, `be.vat`); the RSZ number, the period id and
the declaration ticket have checks of their own that stdnum does not know.
"""

from __future__ import annotations

import secrets
import string
from functools import lru_cache

from stdnum.be import bis, nn, vat

_TICKET_ALPHABET = string.digits + string.ascii_uppercase


@lru_cache(maxsize=1 << 19)
def insz_is_valid(number: str) -> bool:
    """National or BIS number: 11 digits with the mod-97 check (either century).

    Cached: a monthly file names the same workers again and again, and stdnum's check is not cheap.
    Room for half a million workers (some 90 MB at most): a million-declaration month names a
    quarter of a million, and an LRU cache smaller than the workers a file cycles through misses
    every time.
    stdnum's `be.ssn` tries the BIS form first and fails over by an exception; most workers have a
    national number, so asking `be.nn` first, then `be.bis`, gives the same answer in half the time.
    """
    return len(number) == 11 and number.isdigit() and bool(nn.is_valid(number) or bis.is_valid(number))


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
#: a declaration's ticket and period id cost 2.6 us (compiled) against 0.4.
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
