"""Belgian time (SPEC 2): a length of time between two wall-clock moments is real elapsed time.

Moments are naive Belgian wall-clock times, compared and named as the clock reads them; across the
nights the clocks change, the time that really passes between two of them differs from the clock's
difference (docs/decisions.md 30).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

#: Belgian local time, in which every declared moment and the reception time are given (SPEC 2).
BELGIUM: Final = ZoneInfo("Europe/Brussels")
#: The start of a day (a period without hours starts and ends at it).
MIDNIGHT: Final = time(0, 0)


@lru_cache(maxsize=1 << 16)  # some 180 years of days
def _offset_all_day(day: date) -> timedelta | None:
    """Belgium's offset from UTC all through `day`; None on a day the clocks change."""
    first = datetime.combine(day, MIDNIGHT, BELGIUM).utcoffset()
    last = datetime.combine(day, time(23, 59, 59), BELGIUM).utcoffset()
    return first if first == last else None


def utc_offset(moment: datetime) -> timedelta:
    """Belgium's offset from UTC at a wall-clock moment. A time the clocks skip or show twice is read
    as the clock read it before the change (fold 0, as RFC 5545 reads local times): 02:30 on
    29/03/2026 is 03:30 summer time; 02:30 on 25/10/2026 is its first, summer-time, occurrence."""
    offset = _offset_all_day(moment.date())
    if offset is None:
        offset = moment.replace(tzinfo=BELGIUM, fold=0).utcoffset()
        assert offset is not None, "a ZoneInfo always has an offset"
    return offset


#: How far apart two of Belgium's offsets can be (it has kept between UTC and UTC+2): a length
#: farther than this from a limit compares the same however the clocks moved in between.
CLOCK_CHANGE: Final = timedelta(hours=2)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The real time from one wall-clock moment to another (SPEC 2): 22:00 to 06:00 lasts 9 hours on
    the night the clocks go back. (Aware datetimes would not do: Python subtracts two of one zone
    as wall-clock times.)"""
    return end - start - (utc_offset(end) - utc_offset(start))


def longer_than(start: datetime, end: datetime, length: timedelta) -> bool:
    """Whether more than `length` of real time passes from `start` to `end`, the clocks' difference
    answering alone when no clock change could tip it: a million declarations ask."""
    by_clock = end - start
    if by_clock > length + CLOCK_CHANGE or by_clock < length - CLOCK_CHANGE:
        return by_clock > length
    return elapsed(start, end) > length
