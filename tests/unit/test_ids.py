"""SPEC 3: identifier checks and issued numbers."""

from __future__ import annotations

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


def _with_check(base: str) -> str:
    """Nine digits completed by the check of one century or the other (SPEC 3), or a wrong one."""
    return base + f"{97 - int(base) % 97:02d}"


@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=11, max_size=11),
        st.text(alphabet="0123456789", min_size=9, max_size=9).map(_with_check),
        st.text(alphabet="0123456789", min_size=9, max_size=9).map(lambda b: _with_check("2" + b)[1:]),
    )
)
def test_insz_check_is_stdnums_be_ssn(number: str) -> None:
    """Asking be.nn, then be.bis, answers exactly as stdnum's be.ssn, national and BIS numbers alike."""
    assert insz_is_valid(number) == bool(ssn.is_valid(number))
