"""SPEC 2 on the two nights Belgium's clocks change in 2026: 29/03 (02:00 becomes 03:00, the night is an
hour shorter) and 25/10 (03:00 becomes 02:00 again, an hour longer).

A length of time ("longer than 24 hours", "8 hours after") is real elapsed time; a named moment
("midnight", "08:00 the next morning") is read off the clock. Every rule of SPEC 7 that measures a
length is tested on both nights, and the deadlines that name a moment are shown to stay on the clock.
Declared times and reception times are naive Belgian local times (docs/decisions.md 30).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from support.builders import dimona_cancel, dimona_day, dimona_in, dimona_update
from support.channel import Channel
from support.dimona_checks import assert_accepted, assert_refused, assert_still_declared, declare, send_one


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _sent_at(channel: Channel, form: str, received: datetime, allowed: bool, code: str) -> None:
    decision = send_one(channel, form, now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, code)


# -- 90373-341: a one-day IN lasts at most 24 real hours ------------------------------------------------

#: (the day before a night, the end hour the next day, allowed): every shift starts at 12:00.
LONGEST_SHIFTS = [
    # October: 12:00 to 11:30 the next day reads 23 h 30 on the clock but lasts 24 h 30.
    ("2026-10-24", "1130", False),
    ("2026-10-24", "1101", False),
    ("2026-10-24", "1100", True),  # exactly 24 hours
    # March: 12:00 to 12:30 the next day reads 24 h 30 on the clock but lasts 23 h 30.
    ("2026-03-28", "1230", True),
    ("2026-03-28", "1300", True),  # exactly 24 hours
    ("2026-03-28", "1301", False),
]


def _the_day_before(day: str) -> datetime:
    return datetime.fromisoformat(day) - timedelta(days=1)


@pytest.mark.parametrize(("start", "end_hour", "allowed"), LONGEST_SHIFTS)
def test_a_one_day_in_is_at_most_24_real_hours_long(
    channel: Channel, start: str, end_hour: str, allowed: bool
) -> None:
    shift = dimona_in(start, "1200", end_hour, _next_day(start))
    _sent_at(channel, shift, _the_day_before(start), allowed, "90373-341")


# -- 90378-341: so is the result of an UPDATE ------------------------------------------------------------


@pytest.mark.parametrize(("start", "end_hour", "allowed"), LONGEST_SHIFTS)
def test_an_update_may_not_make_a_one_day_period_longer_than_24_real_hours(
    channel: Channel, start: str, end_hour: str, allowed: bool
) -> None:
    received = _the_day_before(start)
    first = dimona_in(start, "1200", "2000")
    period_id = declare(channel, first, now=received)
    update = dimona_update(period_id, end=_next_day(start), end_hour=end_hour)
    _sent_at(channel, update, received, allowed, "90378-341")
    if not allowed:
        assert_still_declared(channel, first, now=received)


# -- 00778-181: a later end until 8 real hours after the planned end ---------------------------------------


@pytest.mark.parametrize(
    ("night", "new_end", "received", "allowed"),
    [
        # Planned end 01:00 on 25/10, summer time: 8 hours later the clock shows 08:00 (winter time).
        ("2026-10-24", "0200", datetime(2026, 10, 25, 7, 59), True),
        ("2026-10-24", "0200", datetime(2026, 10, 25, 8, 0), False),
        ("2026-10-24", "0200", datetime(2026, 10, 25, 8, 30), False),  # 9 h on the clock, 8 h 30 real
        # Planned end 01:00 on 29/03, winter time: 8 hours later the clock shows 10:00 (summer time).
        ("2026-03-28", "0130", datetime(2026, 3, 29, 9, 30), True),  # 8 h 30 on the clock, 7 h 30 real
        ("2026-03-28", "0130", datetime(2026, 3, 29, 9, 59), True),
        ("2026-03-28", "0130", datetime(2026, 3, 29, 10, 0), False),
    ],
)
def test_an_end_is_lengthened_until_8_real_hours_after_the_planned_end(
    channel: Channel, night: str, new_end: str, received: datetime, allowed: bool
) -> None:
    shift = dimona_in(night, "1700", "0100", _next_day(night))
    period_id = declare(channel, shift, now=datetime.fromisoformat(night).replace(hour=9))
    _sent_at(channel, dimona_update(period_id, end_hour=new_end), received, allowed, "00778-181")
    if not allowed:
        assert_still_declared(channel, shift, now=received)


# -- named moments stay on the clock -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("night", "received", "allowed"),
    [
        # Planned end 01:30 on 25/10: shortened until 26/10 00:00, 23 real hours after it, not 22 h 30.
        ("2026-10-24", datetime(2026, 10, 25, 23, 30), True),
        ("2026-10-24", datetime(2026, 10, 25, 23, 59), True),
        ("2026-10-24", datetime(2026, 10, 26, 0, 0), False),
        # Planned end 01:30 on 29/03: until 30/03 00:00, 21 h 30 real after it, not 22 h 30.
        ("2026-03-28", datetime(2026, 3, 29, 23, 59), True),
        ("2026-03-28", datetime(2026, 3, 30, 0, 0), False),
        ("2026-03-28", datetime(2026, 3, 30, 0, 30), False),
    ],
)
def test_an_end_is_shortened_until_the_midnight_after_the_planned_end(
    channel: Channel, night: str, received: datetime, allowed: bool
) -> None:
    shift = dimona_in(night, "1800", "0130", _next_day(night))
    period_id = declare(channel, shift, now=datetime.fromisoformat(night).replace(hour=9))
    _sent_at(channel, dimona_update(period_id, end_hour="0100"), received, allowed, "00778-181")


@pytest.mark.parametrize(
    ("night", "received", "allowed"),
    [
        # Planned end 21:00 the evening before: until 08:00 by the clock, whatever the night's length.
        ("2026-10-24", datetime(2026, 10, 25, 7, 30), True),  # 11 real hours would end at 07:00
        ("2026-10-24", datetime(2026, 10, 25, 7, 59), True),
        ("2026-10-24", datetime(2026, 10, 25, 8, 0), False),
        ("2026-03-28", datetime(2026, 3, 29, 7, 59), True),
        ("2026-03-28", datetime(2026, 3, 29, 8, 0), False),
        ("2026-03-28", datetime(2026, 3, 29, 8, 30), False),  # 11 real hours would end at 09:00
    ],
)
def test_an_evening_end_is_lengthened_until_08_00_by_the_clock(
    channel: Channel, night: str, received: datetime, allowed: bool
) -> None:
    evening = dimona_in(night, "1700", "2100")
    period_id = declare(channel, evening, now=datetime.fromisoformat(night).replace(hour=9))
    _sent_at(channel, dimona_update(period_id, end_hour="2200"), received, allowed, "00778-181")


@pytest.mark.parametrize(
    ("day", "received", "allowed"),
    [
        ("2026-03-29", datetime(2026, 3, 29, 23, 59), True),  # a day of 23 hours
        ("2026-03-29", datetime(2026, 3, 30, 0, 0), False),
        ("2026-10-25", datetime(2026, 10, 25, 23, 59), True),  # a day of 25 hours
        ("2026-10-25", datetime(2026, 10, 26, 0, 0), False),
    ],
)
def test_a_cancellation_arrives_before_midnight_of_the_start_day_by_the_clock(
    channel: Channel, day: str, received: datetime, allowed: bool
) -> None:
    period_id = declare(channel, dimona_in(day), now=datetime.fromisoformat(day))
    _sent_at(channel, dimona_cancel(period_id), received, allowed, "00913-181")


@pytest.mark.parametrize(
    ("start", "start_hour", "received", "late"),
    [
        # 03:00 is the first minute of summer time on 29/03, right after 01:59.
        ("2026-03-29", "0300", datetime(2026, 3, 29, 1, 59), False),
        ("2026-03-29", "0300", datetime(2026, 3, 29, 3, 0), False),
        ("2026-03-29", "0300", datetime(2026, 3, 29, 3, 1), True),
        # 02:30 on 25/10 is its first occurrence, as is a reception at 02:30 (docs/decisions.md 30).
        ("2026-10-25", "0230", datetime(2026, 10, 25, 2, 30), False),
        ("2026-10-25", "0230", datetime(2026, 10, 25, 2, 31), True),
        ("2026-10-25", "0230", datetime(2026, 10, 25, 3, 0), True),
    ],
)
def test_an_in_is_late_when_received_after_its_start_on_the_clock(
    channel: Channel, start: str, start_hour: str, received: datetime, late: bool
) -> None:
    decision = send_one(channel, dimona_in(start, start_hour, "0800"), now=received)
    if late:
        assert_accepted(decision, "90373-460")
    else:
        assert_accepted(decision)


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        (datetime(2026, 2, 28, 23, 30), False),  # 31 real days before 01/04 00:00 would be 28/02 23:00
        (datetime(2026, 2, 28, 23, 59), False),
        (datetime(2026, 3, 1, 0, 0), True),
    ],
)
def test_the_31_days_before_a_quarter_are_calendar_days_across_the_march_change(
    channel: Channel, received: datetime, allowed: bool
) -> None:
    """00910-901 counts days on the calendar (docs/decisions.md 16, 29). No quarter's 31 days
    before its start hold the October night (Q4 counts from 31/08, Q1 2027 from 01/12)."""
    _sent_at(channel, dimona_day("2026-04-01", "2026-04-03"), received, allowed, "00910-901")
