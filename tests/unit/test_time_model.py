"""SPEC 7's time model: where a period starts and ends, and quarters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flexibatch.domain.dimona import Schedule, quarter_end, quarter_start


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 5, 17), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 11, 2), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarters(day: date, start: date, end: date) -> None:
    assert (quarter_start(day), quarter_end(day)) == (start, end)


def test_a_period_without_hours_runs_to_24h_of_its_end_date_or_of_its_quarter() -> None:
    closed = Schedule(date(2026, 6, 10), end_date=date(2026, 6, 12))
    assert (closed.start, closed.end) == (datetime(2026, 6, 10), datetime(2026, 6, 13))
    open_ended = Schedule(date(2026, 6, 10))
    assert open_ended.end == datetime(2026, 7, 1)


def test_a_one_day_period_past_midnight_ends_on_its_end_date() -> None:
    night = Schedule(date(2026, 6, 26), time(22, 0), date(2026, 6, 27), time(2, 0))
    assert night.end - night.start == datetime(2026, 6, 27, 2) - datetime(2026, 6, 26, 22)


def test_touching_periods_do_not_overlap_but_crossing_ones_do() -> None:
    morning = Schedule(date(2026, 6, 25), time(8, 0), None, time(12, 0))
    afternoon = Schedule(date(2026, 6, 25), time(12, 0), None, time(16, 0))
    lunch = Schedule(date(2026, 6, 25), time(11, 0), None, time(13, 0))
    assert not morning.overlaps(afternoon)
    assert morning.overlaps(lunch) and afternoon.overlaps(lunch)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """Any shape, even those the rules refuse: no stored period can escape the property below."""
    start = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
    hour = st.none() | st.times().map(lambda t: time(t.hour, t.minute))
    end_date = draw(st.none() | st.integers(-3, 120).map(lambda days: start + timedelta(days)))
    return Schedule(start, draw(hour), end_date, draw(hour))


@given(schedules(), schedules())
def test_nothing_whose_last_day_is_before_a_day_overlaps_what_starts_on_it(
    period: Schedule, later: Schedule
) -> None:
    """What lets a batch leave a worker's older periods in the store (`Store.periods_by_pair`)."""
    if period.overlaps(later):
        assert period.last_day >= later.start_date


def test_a_period_s_last_day() -> None:
    assert Schedule(date(2026, 6, 10), time(22, 0), date(2026, 6, 11), time(2, 0)).last_day == date(
        2026, 6, 11
    )
    assert Schedule(date(2026, 6, 10), time(8, 0), None, time(12, 0)).last_day == date(2026, 6, 10)
    assert Schedule(date(2026, 6, 10), end_date=date(2026, 6, 12)).last_day == date(2026, 6, 12)
    assert Schedule(date(2026, 5, 10)).last_day == quarter_end(date(2026, 5, 10))
