"""SPEC 7's time model: where a period starts and ends, and quarters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flexibatch.domain.clock import CLOCK_CHANGE, elapsed, longer_than, utc_offset
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


# -- SPEC 2: lengths are real time, across the nights the clocks change ---------------------------------

HOURS = timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "end", "real"),
    [
        (datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 6), 9 * HOURS),  # SPEC 2's example
        (datetime(2026, 3, 28, 22), datetime(2026, 3, 29, 6), 7 * HOURS),
        (datetime(2026, 6, 25, 22), datetime(2026, 6, 26, 6), 8 * HOURS),
        (datetime(2026, 10, 25, 1), datetime(2026, 10, 25, 4), 4 * HOURS),
        (datetime(2026, 3, 29, 1), datetime(2026, 3, 29, 4), 2 * HOURS),
        (datetime(2026, 3, 29, 0), datetime(2026, 3, 30, 0), 23 * HOURS),  # the day is 23 hours long
        (datetime(2026, 10, 25, 0), datetime(2026, 10, 26, 0), 25 * HOURS),
        (datetime(2026, 3, 1), datetime(2026, 11, 1), datetime(2026, 11, 1) - datetime(2026, 3, 1)),
        (datetime(2026, 10, 25, 6), datetime(2026, 10, 24, 22), -9 * HOURS),
    ],
)
def test_elapsed_is_real_time_and_the_clock_s_difference_on_other_nights(
    start: datetime, end: datetime, real: timedelta
) -> None:
    assert elapsed(start, end) == real


def test_a_time_the_clock_skips_is_read_as_the_clock_read_it_before_the_change() -> None:
    """02:30 on 29/03/2026 does not exist: it is 02:30 winter time, so 03:30 summer time (RFC 5545)."""
    skipped = datetime(2026, 3, 29, 2, 30)
    assert utc_offset(skipped) == HOURS
    assert elapsed(datetime(2026, 3, 29, 1, 0), skipped) == 1.5 * HOURS
    assert elapsed(skipped, datetime(2026, 3, 29, 3, 30)) == timedelta(0)


def test_a_time_the_clock_shows_twice_is_its_first_occurrence_whatever_its_fold() -> None:
    """02:30 on 25/10/2026 happens in summer time, then again in winter time: the first is meant, so a
    reception the store wrote down without its fold is read the same way again."""
    twice = datetime(2026, 10, 25, 2, 30)
    assert utc_offset(twice) == utc_offset(twice.replace(fold=1)) == 2 * HOURS
    assert elapsed(datetime(2026, 10, 25, 1, 0), twice) == 1.5 * HOURS
    assert elapsed(twice, datetime(2026, 10, 25, 3, 0)) == 1.5 * HOURS


def test_the_offsets_of_belgium_stay_within_one_clock_change_of_each_other() -> None:
    """What lets `longer_than` answer from the clock alone far from its limit."""
    offsets = {utc_offset(datetime(year, month, 15)) for year in range(1900, 2101) for month in (1, 7)}
    assert max(offsets) - min(offsets) <= CLOCK_CHANGE


NEAR_THE_CHANGES = st.sampled_from(
    [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24), date(2026, 10, 25)]
)


@given(
    st.one_of(NEAR_THE_CHANGES, st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))),
    st.times().map(lambda t: time(t.hour, t.minute)),
    st.integers(0, 36 * 60),
    st.sampled_from([timedelta(hours=8), timedelta(hours=24)]),
)
def test_longer_than_is_elapsed_time_compared(day: date, hour: time, minutes: int, length: timedelta) -> None:
    start = datetime.combine(day, hour)
    end = start + timedelta(minutes=minutes)
    assert longer_than(start, end, length) is (elapsed(start, end) > length)
