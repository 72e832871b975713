"""Dimona records: the declarations a file carries and the periods the state remembers.

Time model (SPEC 7): a period with hours runs from its start date and hour to its end date (the start
date when none is given) and end hour; a period without hours starts at 00:00 of its start date and
ends at 24:00 of its end date, or of the last day of its quarter while it has no end date.

Moments are naive Belgian wall-clock times (SPEC 2), compared and named as the clock reads them
("midnight", "08:00 the next morning"); a length of time between two of them is real elapsed time
(`domain/clock.py`), which differs from the clock's difference across the nights the clocks change
(docs/decisions.md 30).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Final

from flexibatch.domain.anomalies import Anomaly
from flexibatch.domain.clock import MIDNIGHT

#: Every hour of the day by its four digits HHMM, the form of Dimona and of the state: a monthly file
#: spells the same few hundred hours a million times.
_HOURS = {f"{h:02d}{m:02d}": time(h, m) for h in range(24) for m in range(60)}
_HHMM = {moment: text for text, moment in _HOURS.items()}


def hour_of(hhmm: str) -> time:
    """The time of an HHMM string."""
    found = _HOURS.get(hhmm)
    return found if found is not None else time(int(hhmm[:2]), int(hhmm[2:]))


def hhmm(moment: time) -> str:
    """The HHMM string of a time (seconds, never declared, are dropped)."""
    return _HHMM.get(moment) or f"{moment:%H%M}"


@lru_cache(maxsize=1 << 16)  # some 180 years of days
def iso_day(day: date) -> str:
    """`day.isoformat()`, remembered: the state and the NOTI spell the same few hundred days a
    million times in a monthly file (docs/performance.md, "Measured costs")."""
    return day.isoformat()


class Action(StrEnum):
    IN = "IN"
    OUT = "OUT"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"


#: The XML element of each action, which is also the prefix of its anomaly paths.
ACTION_ELEMENT: dict[Action, str] = {
    Action.IN: "DimonaIn",
    Action.OUT: "DimonaOut",
    Action.UPDATE: "DimonaUpdate",
    Action.CANCEL: "DimonaCancel",
}


class PeriodStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


@dataclass(unsafe_hash=True)
class Reference:
    type: str
    origin: str
    number: str

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(self, type: str, origin: str, number: str) -> None:
        self.type = type
        self.origin = origin
        self.number = number


@dataclass(unsafe_hash=True)
class FormHeader:
    """The submitted Form's own header, echoed in the NOTI (absent for CSV)."""

    creation_date: str
    creation_hour: str
    attestation_status: str
    type_form: str


#: The header elements of a Form, in schema order: the fields of FormHeader.
HEADER_TAGS: Final = ("FormCreationDate", "FormCreationHour", "AttestationStatus", "TypeForm")


@lru_cache(maxsize=4096)
def form_header(values: tuple[str, str, str, str]) -> FormHeader:
    """The header of these values: the Forms of a file share a few, so they share one record each
    (records are immutable, so sharing them is safe)."""
    return FormHeader(*values)


@dataclass(unsafe_hash=True)
class EmployerId:
    noss: str | None = None
    provisional: str | None = None
    company_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.noss or self.provisional or self.company_id)


#: The worker fields of a DimonaIn's NaturalPerson besides the INSZ, by their Dimona element names.
PERSON_FIELDS: Final = (
    "WorkerName",
    "WorkerFirstName",
    "WorkerInitial",
    "WorkerBirthdate",
    "WorkerBirthplace",
    "WorkerBirthplaceCountry",
    "WorkerSex",
    "WorkerStreet",
    "WorkerHouseNbr",
    "WorkerPostBox",
    "WorkerZIPCode",
    "WorkerCity",
    "WorkerCountry",
    "Nationality",
)
#: Those that must all be given when a worker is declared without INSZ (90017-363).
IDENTITY_FIELDS = tuple(name for name in PERSON_FIELDS if name not in ("WorkerInitial", "WorkerPostBox"))


@dataclass(unsafe_hash=True)
class Schedule:
    """A start and an optional end, as declared: the part of a period the rules reason about."""

    start_date: date
    start_hour: time | None = None
    end_date: date | None = None
    end_hour: time | None = None
    #: When the period begins and ends (SPEC 7), worked out once: the rules ask again and again.
    start: datetime = field(init=False, repr=False, compare=False)
    end: datetime = field(init=False, repr=False, compare=False)

    # Written out rather than generated: mypyc compiles this one (a dataclass's generated __init__
    # and __post_init__ run as Python), and a monthly file makes millions of schedules.
    def __init__(
        self,
        start_date: date,
        start_hour: time | None = None,
        end_date: date | None = None,
        end_hour: time | None = None,
    ) -> None:
        self.start_date = start_date
        self.start_hour = start_hour
        self.end_date = end_date
        self.end_hour = end_hour
        self.start = datetime.combine(start_date, start_hour or MIDNIGHT)
        if self.has_hours:
            self.end = datetime.combine(self.last_day, end_hour or MIDNIGHT)
        else:
            self.end = datetime.combine(self.last_day + timedelta(days=1), MIDNIGHT)

    @property
    def has_hours(self) -> bool:
        return self.start_hour is not None or self.end_hour is not None

    @property
    def last_day(self) -> date:
        """The last day it can run on: its EndingDate; else, with hours, its start day (without an
        EndingDate it ends that day); else the last day of its quarter. Nothing whose last day is
        before a day overlaps what starts on that day (tests/unit/test_time_model.py)."""
        if self.end_date is not None:
            return self.end_date
        return self.start_date if self.has_hours else quarter_end(self.start_date)

    def same_time(self, other: Schedule) -> bool:
        """The same start and end, however written (an EndingDate equal to the start date or left out)."""
        return self.has_hours == other.has_hours and self.start == other.start and self.end == other.end

    def overlaps(self, other: Schedule) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(unsafe_hash=True)
class DimonaDeclaration:
    """One Form of a DIMN submission, whichever format it came in."""

    index: int
    line: int
    action: Action
    header: FormHeader | None = None
    references: tuple[Reference, ...] = ()
    employer: EmployerId | None = None
    insz: str | None = None
    person: Mapping[str, str] = field(default_factory=dict)
    worker_type: str | None = None
    joint_commission: str | None = None
    start_date: date | None = None
    start_hour: time | None = None
    end_date: date | None = None
    end_hour: time | None = None
    #: ("PlannedHoursNbr" or "PlannedDaysNbr", value) when given.
    planned: tuple[str, str] | None = None
    period_id: str | None = None
    #: Cells of a CSV row that could not be read (90000-102): the declaration is refused with them.
    unreadable: tuple[Anomaly, ...] = ()

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        index: int,
        line: int,
        action: Action,
        header: FormHeader | None = None,
        references: tuple[Reference, ...] = (),
        employer: EmployerId | None = None,
        insz: str | None = None,
        person: Mapping[str, str] | None = None,
        worker_type: str | None = None,
        joint_commission: str | None = None,
        start_date: date | None = None,
        start_hour: time | None = None,
        end_date: date | None = None,
        end_hour: time | None = None,
        planned: tuple[str, str] | None = None,
        period_id: str | None = None,
        unreadable: tuple[Anomaly, ...] = (),
    ) -> None:
        self.index = index
        self.line = line
        self.action = action
        self.header = header
        self.references = references
        self.employer = employer
        self.insz = insz
        self.person = {} if person is None else person
        self.worker_type = worker_type
        self.joint_commission = joint_commission
        self.start_date = start_date
        self.start_hour = start_hour
        self.end_date = end_date
        self.end_hour = end_hour
        self.planned = planned
        self.period_id = period_id
        self.unreadable = unreadable

    @property
    def worker_key(self) -> str:
        """Who the worker is: the INSZ, or the name and birth date of a worker declared without one."""
        if self.insz:
            return self.insz
        parts = (self.person.get(k, "") for k in ("WorkerName", "WorkerFirstName", "WorkerBirthdate"))
        return "NAME:" + "|".join(p.strip().upper() for p in parts)


_ACTIVE = PeriodStatus.ACTIVE  # a module name: an Enum member read off its class costs a call


@dataclass(unsafe_hash=True)
class Period:
    """A Dimona period as the state remembers it."""

    period_id: str
    env: str
    employer_key: str
    noss: str | None
    company_id: str | None
    worker_key: str
    insz: str | None
    schedule: Schedule
    status: PeriodStatus = PeriodStatus.ACTIVE
    version: int = 1

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        period_id: str,
        env: str,
        employer_key: str,
        noss: str | None,
        company_id: str | None,
        worker_key: str,
        insz: str | None,
        schedule: Schedule,
        status: PeriodStatus = PeriodStatus.ACTIVE,
        version: int = 1,
    ) -> None:
        self.period_id = period_id
        self.env = env
        self.employer_key = employer_key
        self.noss = noss
        self.company_id = company_id
        self.worker_key = worker_key
        self.insz = insz
        self.schedule = schedule
        self.status = status
        self.version = version

    @property
    def active(self) -> bool:
        return self.status is _ACTIVE

    def changed(self, *, schedule: Schedule | None = None, status: PeriodStatus | None = None) -> Period:
        """The next version of this period, with a new schedule or status."""
        return Period(
            self.period_id,
            self.env,
            self.employer_key,
            self.noss,
            self.company_id,
            self.worker_key,
            self.insz,
            self.schedule if schedule is None else schedule,
            self.status if status is None else status,
            self.version + 1,
        )


@dataclass(unsafe_hash=True)
class PeriodChange:
    """An accepted Dimona declaration's effect, which the store records with its history."""

    period: Period
    action: str
    declaration_ticket: str
    submission_ticket: str
    sender: str

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(
        self, period: Period, action: str, declaration_ticket: str, submission_ticket: str, sender: str
    ) -> None:
        self.period = period
        self.action = action
        self.declaration_ticket = declaration_ticket
        self.submission_ticket = submission_ticket
        self.sender = sender


class PeriodBook:
    """The periods a batch of declarations can touch, updated as declarations are accepted."""

    def __init__(self, periods: Iterable[Period] = ()) -> None:
        self._by_id: dict[str, Period] = {}
        self._by_pair: dict[tuple[str, str], dict[str, Period]] = {}
        for period in periods:
            self.put(period)

    def get(self, period_id: str) -> Period | None:
        return self._by_id.get(period_id)

    def active_for(self, employer_key: str, worker_key: str) -> list[Period]:
        pair = self._by_pair.get((employer_key, worker_key), {})
        return [p for p in pair.values() if p.active]

    def put(self, period: Period) -> None:
        self._by_id[period.period_id] = period
        self._by_pair.setdefault((period.employer_key, period.worker_key), {})[period.period_id] = period


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    if start.month == 10:
        return date(day.year, 12, 31)
    return date(day.year, start.month + 3, 1) - timedelta(days=1)


def next_midnight(moment: datetime) -> datetime:
    """Midnight at the end of the day of `moment`."""
    return datetime.combine(moment.date() + timedelta(days=1), MIDNIGHT)
