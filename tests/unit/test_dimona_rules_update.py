"""SPEC 7, UPDATE, on the pure rule `dimona_rules.decide`: nothing changes, the result must still be
a valid period, the start and the end move only within their windows (SPEC 7's example times), and
the lengths stay real time across the clock changes (decision 30).

The channel twins are tests/integration/test_dimona_update.py and test_clock_changes.py. A refused
UPDATE leaves the period in the book as it was. Default IN: 25/06/2026 10:00-14:00, received
24/06/2026 11:50.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from flexibatch.domain.dimona import DimonaDeclaration, Schedule
from support.builders import CBE_BRASSERIE
from support.records import (
    DimonaDesk,
    assert_accepted,
    assert_refused,
    codes,
    dimona_day,
    dimona_in,
    dimona_night,
    dimona_update,
)


def _schedule(desk: DimonaDesk, period_id: str) -> Schedule:
    period = desk.book.get(period_id)
    assert period is not None and period.active
    return period.schedule


# -- UPDATE ---------------------------------------------------------------------------------------------


def test_an_accepted_update_changes_the_period_in_the_book() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    decision = desk.send(dimona_update(period_id, end_hour="1300", company_id=CBE_BRASSERIE))
    assert_accepted(decision)
    assert decision.before is not None and decision.after is not None
    assert (decision.before.schedule.end_hour, decision.after.schedule.end_hour) == (time(14), time(13))
    assert (decision.before.version, decision.after.version) == (1, 2)
    assert desk.book.get(period_id) == decision.after


@pytest.mark.parametrize(
    "same",
    [
        pytest.param({}, id="no-field"),
        pytest.param({"end_hour": "1400"}, id="same-end"),
        pytest.param({"start": "2026-06-25", "start_hour": "1000", "end_hour": "1400"}, id="all-restated"),
        pytest.param({"end": "2026-06-25", "end_hour": "1400"}, id="end-date-written-out"),
    ],
)
def test_an_update_that_changes_nothing_is_refused(same: dict[str, str]) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    assert_refused(
        desk.send(dimona_update(period_id, **same)), "90378-444", "DimonaUpdate/DimonaPeriodId", period_id
    )
    assert_accepted(desk.send(dimona_update(period_id, end_hour="1359")))


TWO_SHIFTS = (dimona_in(), dimona_in(start_hour="1500", end_hour="1800"))
BETWEEN_DAYS = (dimona_day("2026-06-25", "2026-06-28"),)
NEXT_QUARTER = (dimona_day("2026-07-01", "2026-07-03"),)


@pytest.mark.parametrize(
    ("code", "path", "declared", "wrong", "near_miss"),
    [
        pytest.param(
            "00778-345",
            "EndingHour",
            (dimona_in(),),
            {"end_hour": "0900"},
            {"end_hour": "1001"},
            id="00778-345",
        ),
        pytest.param(
            "00778-345",
            "EndingHour",
            (dimona_in(),),
            {"end_hour": "1000"},
            {"end_hour": "1001"},
            id="00778-345-zero",
        ),
        pytest.param(
            "90378-341",
            "EndingHour",
            (dimona_in(),),
            {"end": "2026-06-26", "end_hour": "1001"},
            {"end": "2026-06-26", "end_hour": "1000"},
            id="90378-341",
        ),
        pytest.param(
            "90373-421",
            "EndingDate",
            BETWEEN_DAYS,
            {"end": "2026-06-24"},
            {"end": "2026-06-25"},
            id="90373-421-before",
        ),
        pytest.param(
            "90373-421",
            "EndingDate",
            NEXT_QUARTER,
            {"start": "2026-06-30"},
            {"start": "2026-07-02"},
            id="90373-421-quarter",
        ),
        pytest.param(
            "00911-344",
            "EndingDate",
            BETWEEN_DAYS,
            {"end": "2026-06-29"},
            {"end": "2026-06-27"},
            id="00911-344",
        ),
        pytest.param(
            "90378-334",
            "StartingDate",
            TWO_SHIFTS,
            {"end_hour": "1501"},
            {"end_hour": "1500"},
            id="90378-334",
        ),
        pytest.param(
            "90378-334",
            "StartingDate",
            TWO_SHIFTS,
            {"start_hour": "1500", "end_hour": "1800"},  # decision 18: identical is an overlap on UPDATE
            {"start_hour": "1800", "end_hour": "2000"},
            id="90378-334-identical",
        ),
        pytest.param(
            "01135-005",
            "PlannedHoursNbr",
            (dimona_in(),),
            {"end_hour": "1300", "planned": ("PlannedHoursNbr", "3")},
            {"end_hour": "1300"},
            id="01135-005",
        ),
        pytest.param(  # decision 19: an hour given to a period without hours needs the other one
            "00777-001",
            "StartingHour",
            BETWEEN_DAYS,
            {"end": "2026-06-25", "end_hour": "1400"},
            {"end": "2026-06-27"},
            id="00777-001",
        ),
        pytest.param(
            "00778-001",
            "EndingHour",
            BETWEEN_DAYS,
            {"end": "2026-06-25", "start_hour": "1000"},
            {"end": "2026-06-26"},
            id="00778-001",
        ),
    ],
)
def test_the_result_of_an_update_must_still_be_a_valid_period(
    code: str,
    path: str,
    declared: tuple[DimonaDeclaration, ...],
    wrong: dict[str, object],
    near_miss: dict[str, object],
) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(declared[0])
    for other in declared[1:]:
        desk.declare(other)
    kept = _schedule(desk, period_id)
    assert_refused(desk.send(dimona_update(period_id, **wrong)), code, f"DimonaUpdate/{path}")
    assert _schedule(desk, period_id) == kept
    assert_accepted(desk.send(dimona_update(period_id, **near_miss)))


@pytest.mark.parametrize(
    ("received", "new_start", "allowed"),
    [
        (datetime(2026, 6, 25, 9, 59), "1030", True),
        (datetime(2026, 6, 25, 10, 0), "1030", False),  # work has begun at the current start
        (datetime(2026, 6, 25, 10, 1), "1030", False),
        (datetime(2026, 6, 25, 9, 0), "0859", False),  # into the past
        (datetime(2026, 6, 25, 9, 0), "0900", True),
    ],
)
def test_the_start_moves_only_before_work_begins_and_never_into_the_past(
    received: datetime, new_start: str, allowed: bool
) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    decision = desk.send(dimona_update(period_id, start_hour=new_start), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00777-181", "DimonaUpdate/StartingDate")


def test_once_work_has_begun_the_end_may_still_move_with_the_start_restated() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    update = dimona_update(period_id, start="2026-06-25", start_hour="1000", end_hour="1300")
    assert_accepted(desk.send(update, now=datetime(2026, 6, 25, 11, 0)))


@pytest.mark.parametrize(
    ("planned_end", "new_end", "received", "allowed"),
    [
        # SPEC 7's example: 10:00-14:00 may be shortened until 26/06 00:00 ...
        ("1400", "1300", datetime(2026, 6, 25, 23, 59, 59), True),
        ("1400", "1300", datetime(2026, 6, 26, 0, 0), False),
        # ... and lengthened until 25/06 22:00
        ("1400", "1500", datetime(2026, 6, 25, 21, 59), True),
        ("1400", "1500", datetime(2026, 6, 25, 22, 0), False),
        # one ending at 21:00 may be lengthened until 26/06 08:00, shortened until 26/06 00:00
        ("2100", "2200", datetime(2026, 6, 26, 7, 59), True),
        ("2100", "2200", datetime(2026, 6, 26, 8, 0), False),
        ("2100", "2000", datetime(2026, 6, 25, 23, 59), True),
        ("2100", "2000", datetime(2026, 6, 26, 0, 0), False),
        # 20:00 is in the evening window, 19:59 is not
        ("2000", "2100", datetime(2026, 6, 26, 7, 59), True),
        ("2000", "2100", datetime(2026, 6, 26, 8, 0), False),
        ("1959", "2100", datetime(2026, 6, 26, 3, 58), True),
        ("1959", "2100", datetime(2026, 6, 26, 3, 59), False),
    ],
)
def test_a_one_day_end_moves_only_within_its_window(
    planned_end: str, new_end: str, received: datetime, allowed: bool
) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in(end_hour=planned_end))
    decision = desk.send(dimona_update(period_id, end_hour=new_end), now=received)
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "00778-181", "DimonaUpdate/EndingHour")


@pytest.mark.parametrize(
    ("received", "allowed"), [(datetime(2026, 6, 25, 23, 59), True), (datetime(2026, 6, 26, 0, 0), False)]
)
def test_the_window_follows_the_end_of_the_last_accepted_update(received: datetime, allowed: bool) -> None:
    """Lengthened to 16:00 in the same batch, the end may be lengthened again until 16:00 + 8 h."""
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    assert_accepted(desk.send(dimona_update(period_id, end_hour="1600"), now=datetime(2026, 6, 25, 12, 0)))
    decision = desk.send(dimona_update(period_id, end_hour="1800"), now=received)
    assert decision.accepted is allowed


def test_updates_of_one_batch_see_each_other() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in())
    assert_accepted(desk.send(dimona_update(period_id, end_hour="1500")))
    assert_refused(desk.send(dimona_update(period_id, end_hour="1500")), "90378-444")


def test_a_night_shift_keeps_its_ending_date_and_is_lengthened_until_8_hours_after_its_end() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_night())
    assert_refused(
        desk.send(dimona_update(period_id, end_hour="0300"), now=datetime(2026, 6, 26, 10, 0)), "00778-181"
    )
    decision = desk.send(dimona_update(period_id, end_hour="0300"), now=datetime(2026, 6, 26, 9, 59))
    assert_accepted(decision)
    assert decision.after is not None
    assert (decision.after.schedule.end_date, decision.after.schedule.end_hour) == (
        date(2026, 6, 26),
        time(3),
    )


@pytest.mark.parametrize(("end_hour", "allowed"), [("2200", True), ("2201", False)])
def test_a_night_shift_lengthened_past_24_hours_is_refused(end_hour: str, allowed: bool) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_night())
    decision = desk.send(dimona_update(period_id, end_hour=end_hour))
    if allowed:
        assert_accepted(decision)
    else:
        assert_refused(decision, "90378-341")


def test_an_evening_shift_may_be_lengthened_past_midnight_until_08_00() -> None:
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in(start_hour="1800", end_hour="2300"))
    update = dimona_update(period_id, end="2026-06-26", end_hour="0100")
    assert_refused(desk.send(update, now=datetime(2026, 6, 26, 8, 0)), "00778-181")
    assert_accepted(desk.send(update, now=datetime(2026, 6, 26, 7, 59)))


# -- clock changes (decision 30): lengths are real time, named moments on the clock ------------------------


@pytest.mark.parametrize(
    ("start", "end_hour", "allowed"),
    [
        ("2026-10-24", "1100", True),  # 12:00 to 11:00 over the October night: exactly 24 real hours
        ("2026-10-24", "1101", False),
        ("2026-03-28", "1300", True),  # 12:00 to 13:00 over the March night: exactly 24 real hours
        ("2026-03-28", "1301", False),
    ],
)
def test_24_hours_are_real_hours_across_a_clock_change(start: str, end_hour: str, allowed: bool) -> None:
    next_day = date.fromordinal(date.fromisoformat(start).toordinal() + 1).isoformat()
    received = datetime(2026, 1, 5)
    decision = DimonaDesk().send(dimona_in(start, "1200", end_hour, next_day), now=received)
    assert decision.accepted is allowed, decision.anomalies
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in(start, "1200", "2000"), now=received)
    update = desk.send(dimona_update(period_id, end=next_day, end_hour=end_hour), now=received)
    assert update.accepted is allowed, update.anomalies
    if not allowed:
        assert codes(decision) == ["90373-341"] and codes(update) == ["90378-341"]


@pytest.mark.parametrize(
    ("received", "allowed"),
    [
        # planned end 01:00 on 25/10: 8 real hours later the clock reads 08:00 (one hour repeated)
        (datetime(2026, 10, 25, 7, 59), True),
        (datetime(2026, 10, 25, 8, 0), False),
    ],
)
def test_8_hours_after_the_planned_end_are_real_hours(received: datetime, allowed: bool) -> None:
    desk = DimonaDesk()
    period_id = desk.declare(
        dimona_in("2026-10-24", "1700", "0100", "2026-10-25"), now=datetime(2026, 10, 24, 9)
    )
    decision = desk.send(dimona_update(period_id, end_hour="0200"), now=received)
    assert decision.accepted is allowed, decision.anomalies


def _lengthen_midnight_end(night: str, received: str) -> bool:
    """Whether a shift of `night` ending at 24:00 (00:00 the next day) may end at 01:00 instead,
    received at `received` (HH:MM) the next day."""
    next_day = date.fromordinal(date.fromisoformat(night).toordinal() + 1).isoformat()
    desk = DimonaDesk()
    period_id = desk.declare(dimona_in(night, "1800", "0000", next_day), now=datetime(2026, 1, 5))
    update = dimona_update(period_id, end_hour="0100")
    return desk.send(update, now=datetime.fromisoformat(f"{next_day}T{received}")).accepted


def test_an_end_at_24_00_may_be_lengthened_until_08_00_on_an_ordinary_night() -> None:
    assert (_lengthen_midnight_end("2026-06-25", "07:59"), _lengthen_midnight_end("2026-06-25", "08:00")) == (
        True,
        False,
    )


@pytest.mark.parametrize("night", ["2026-10-24", "2026-03-28"])
def test_an_end_at_24_00_may_be_lengthened_until_08_00_on_a_clock_change_night(night: str) -> None:
    assert (_lengthen_midnight_end(night, "07:59"), _lengthen_midnight_end(night, "08:00")) == (True, False)
