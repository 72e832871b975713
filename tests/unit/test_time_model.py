"""SPEC 7's time model: where a period starts and ends, and quarters."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

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
