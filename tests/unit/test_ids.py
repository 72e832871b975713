"""SPEC 3: identifier checks and issued numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import ssn

from flexibatch.domain.ids import (
    check_digits_ok,
    company_id_is_valid,
    insz_is_valid,
    new_file_ticket,
    noss_is_valid,
    with_check,
)


@pytest.mark.parametrize("number", ["80111405125", "93051822361", "02030411155"])
def test_spec_and_post_2000_insz_pass(number: str) -> None:
    assert insz_is_valid(number)


@pytest.mark.parametrize("number", ["80111405126", "8011140512", "8011140512X", ""])
def test_wrong_insz_fail(number: str) -> None:
    assert not insz_is_valid(number)


@pytest.mark.parametrize(
    ("number", "valid"), [("0400767772", True), ("400767772", True), ("0400767773", False)]
)
def test_enterprise_numbers_in_10_and_9_digit_form(number: str, valid: bool) -> None:
    assert company_id_is_valid(number) is valid


@pytest.mark.parametrize(
    ("number", "valid"), [("175110801", True), ("175110802", False), ("17511080", False)]
)
def test_rsz_numbers_are_96_mod_97(number: str, valid: bool) -> None:
    assert noss_is_valid(number) is valid


def test_the_spec_period_id_passes_its_check() -> None:
    assert check_digits_ok("660740832053")
    assert not check_digits_ok("660740832054")


@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_every_issued_number_passes_its_own_check(base: int) -> None:
    number = with_check(base)
    assert len(number) == 12 and check_digits_ok(number)
    assert int(number[:10]) == base, "the number it was made from, zero-padded to 10 digits"


def test_file_tickets_are_13_characters_of_digits_and_capitals() -> None:
    tickets = {new_file_ticket() for _ in range(200)}
    assert len(tickets) == 200
    assert all(len(t) == 13 and t.isalnum() and t == t.upper() for t in tickets)


_THIS_YEAR = date.today().year % 100  # stdnum checks as of 2000 only years that have come
_YEARS = st.one_of(st.integers(0, 99), st.sampled_from([_THIS_YEAR - 1, _THIS_YEAR, _THIS_YEAR + 1]))
_MONTHS = st.one_of(st.integers(0, 99), st.sampled_from([0, 12, 13, 19, 20, 32, 33, 39, 40, 52, 53]))


@st.composite
def _insz_like(draw: st.DrawFn) -> str:
    """Birth year and month (every boundary of either form), day and serial, then the check of 1900,
    of 2000, or a wrong one."""
    base = (
        f"{draw(_YEARS):02d}{draw(_MONTHS):02d}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 999)):03d}"
    )
    check = draw(st.sampled_from([int(base), 2_000_000_000 + int(base)]))
    wrong = draw(st.sampled_from([0, 0, 1]))
    return base + f"{(97 - check % 97 + wrong) % 100:02d}"


@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=11, max_size=11),
        _insz_like(),
        st.text(alphabet="0123456789 .-\u0663x", min_size=10, max_size=13),
    )
)
def test_insz_check_is_stdnums_be_ssn(number: str) -> None:
    """The same answer as stdnum's be.ssn for national and BIS numbers of either century; written
    with separators, or with other digits than 0-9, a number is refused (SPEC 3: 11 digits)."""
    if not (len(number) == 11 and number.isascii() and number.isdigit()):
        assert not insz_is_valid(number)
        return
    assert insz_is_valid(number) == bool(ssn.is_valid(number))


@pytest.mark.parametrize("century", [1900, 2000])
def test_every_birth_month_is_judged_as_stdnum_judges_it(century: int) -> None:
    """National months 0-12, BIS months 20-32 and 40-52, nothing else, whatever the check."""
    for month in range(100):
        base = int(f"85{month:02d}15123") + (2_000_000_000 if century == 2000 else 0)
        number = f"85{month:02d}15123{97 - base % 97:02d}"
        assert insz_is_valid(number) == bool(ssn.is_valid(number)), number


def test_a_number_of_this_century_is_checked_as_such_only_once_its_year_has_come() -> None:
    for year in (_THIS_YEAR - 1, _THIS_YEAR, _THIS_YEAR + 1):
        base = 2_000_000_000 + int(f"{year:02d}0115123")
        number = f"{year:02d}0115123{97 - base % 97:02d}"
        assert insz_is_valid(number) == bool(ssn.is_valid(number)) == (year <= _THIS_YEAR), number
