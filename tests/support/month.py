"""A month of submissions for the report's tests: the files, and what each declaration will come to.

Every second day of June 2026 two senders send a Dimona file each; the mix of each file changes
with the day: INs on time (accepted), INs that started before the reception (late: a warning),
a worker type other than FLX, an INSZ that fails its check, an employer without mandate (refused).
Every fifth of those days a third file is empty (refused whole, ACRF-157), and once a wage transfer
takes a worker over the ceiling. The plan says what each declaration comes to, as SPEC 7 and 8
read: it is the inputs' own account, computed without the processor or the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from support.builders import CBE_BRASSERIE, CBE_LEMAIRE, NOSS_AURORA, NOSS_BRASSERIE, dimona, dimona_in
from support.cli import workers
from support.flexi_builders import UUID_1, beneficiary, flxwage, month, relation, wage_form

#: The repertory key (RSZ number) of each employer as declared (samples/refdata/employers.csv).
KEY = {
    NOSS_BRASSERIE: NOSS_BRASSERIE,
    CBE_LEMAIRE: "175110995",
    NOSS_AURORA: NOSS_AURORA,
    CBE_BRASSERIE: NOSS_BRASSERIE,
}
DAYS = [date(2026, 6, 1) + timedelta(days=n) for n in range(0, 30, 2)]
BAD_INSZ = "80111405126"  # 80111405125 with its check digits off by one
#: Above 2026's ceiling of 18 000.00 EUR, in cents.
OVER_CEILING = 1_850_000


@dataclass(frozen=True)
class Declaration:
    employer: str  # the repertory key
    result: str  # ACCEPTED, ACCEPTED_WITH_WARNING or REFUSED
    error_ids: tuple[tuple[str, str], ...] = ()  # (ErrorID, class)


@dataclass
class Submission:
    day: date
    sender: str
    name: str
    content: bytes
    declarations: list[Declaration] = field(default_factory=list)
    refused_with: str | None = None  # the ErrorID of a file refused whole

    @property
    def go(self) -> str:
        return "GO." + ".".join(self.name.split(".")[1:-2])


def _dimona_file(day: date, sender: str, sequence: int, forms: list[tuple[str, Declaration]]) -> Submission:
    name = f"FI.DIMN.{sender}.{day:%Y%m%d}.{sequence:05d}.R.1.1.xml"
    return Submission(day, sender, name, dimona(*(f for f, _ in forms)), [d for _, d in forms])


def _payroll_partners(day: date, n: int, people: list[str]) -> Submission:
    """Sender 123456: Brasserie on time and late, Lemaire with a wrong worker type, a wrong INSZ."""
    tomorrow, today = (day + timedelta(days=1)).isoformat(), day.isoformat()
    forms = [
        (dimona_in(tomorrow, insz=people.pop()), Declaration(NOSS_BRASSERIE, "ACCEPTED"))
        for _ in range(3 + n % 4)
    ]
    late = Declaration(NOSS_BRASSERIE, "ACCEPTED_WITH_WARNING", (("90373-460", "NP"),))
    forms += [(dimona_in(today, "0800", "1200", insz=people.pop()), late) for _ in range(1 + n % 2)]
    not_flx = Declaration(KEY[CBE_LEMAIRE], "REFUSED", (("00655-350", "B"),))
    forms += [
        (
            dimona_in(tomorrow, insz=people.pop(), noss=None, company_id=CBE_LEMAIRE, worker_type="STU"),
            not_flx,
        )
        for _ in range(n % 3)
    ]
    forms.append(
        (dimona_in(tomorrow, insz=BAD_INSZ), Declaration(NOSS_BRASSERIE, "REFUSED", (("00024-004", "B"),)))
    )
    return _dimona_file(day, "123456", 1, forms)


def _horeca_payroll(day: date, n: int, people: list[str]) -> Submission:
    """Sender 654321: Aurora on time; Brasserie, for which it holds no mandate."""
    tomorrow = (day + timedelta(days=1)).isoformat()
    forms = [
        (dimona_in(tomorrow, insz=people.pop(), noss=NOSS_AURORA), Declaration(NOSS_AURORA, "ACCEPTED"))
        for _ in range(2 + n % 3)
    ]
    no_mandate = Declaration(NOSS_BRASSERIE, "REFUSED", (("90256-155", "B"),))
    forms += [(dimona_in(tomorrow, insz=people.pop()), no_mandate) for _ in range(1 + n % 2)]
    return _dimona_file(day, "654321", 1, forms)


def _over_the_ceiling(day: date, worker: str) -> Submission:
    """A June payslip of 18 500.00 EUR: over the ceiling (00024-902), and no Dimona covers it (00024-152)."""
    form = wage_form(
        beneficiary(
            worker,
            relation(UUID_1, month("2026-06-01", "2026-06-30", OVER_CEILING, calculated=day.isoformat())),
        )
    )
    name = f"FI.FLEX.123456.{day:%Y%m%d}.00002.R.1.1.xml"
    warned = Declaration(NOSS_BRASSERIE, "ACCEPTED_WITH_WARNING", (("00024-152", "NP"), ("00024-902", "NP")))
    return Submission(day, "123456", name, flxwage(form), [warned])


def june() -> list[Submission]:
    """The month's submissions in the order they are sent; one worker per IN, so none overlaps."""
    people = workers(600)
    ceiling_worker = people.pop()
    month_files: list[Submission] = []
    for n, day in enumerate(DAYS):
        month_files += [_payroll_partners(day, n, people), _horeca_payroll(day, n, people)]
        if n % 5 == 4:
            name = f"FI.DIMN.654321.{day:%Y%m%d}.00002.R.1.1.xml"
            month_files.append(Submission(day, "654321", name, b"", refused_with="ACRF-157"))
        if day == date(2026, 6, 15):
            month_files.append(_over_the_ceiling(day, ceiling_worker))
    return month_files


def drop(inbox: Path, submissions: list[Submission]) -> None:
    """Put the files and their GO in their senders' folders, as an SFTP upload leaves them."""
    for s in submissions:
        folder = inbox / s.sender
        folder.mkdir(parents=True, exist_ok=True)
        (folder / s.name).write_bytes(s.content)
        (folder / s.go).write_bytes(b"")
