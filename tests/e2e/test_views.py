"""SPEC 10: `flexibatch worker` and `flexibatch employer` tell what the NOTIs told, through the real CLI.

One installation, built once for the module: the sample reference data, a Dimona file and two Flexi at
work files (originals, then a modification and a cancellation) dropped together and processed by one
`flexibatch run`. Every expectation about the views is taken from the answers the processor wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from support.answers import Decision, read_noti
from support.builders import (
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    INSZ_A,
    INSZ_B,
    INSZ_PENSIONER,
    NOSS_BRASSERIE,
    NOSS_FONDS,
    dimona,
    dimona_in,
)
from support.channel import SAMPLES
from support.cli import flexibatch
from support.flexi_builders import (
    PREMIUM,
    UUID_1,
    UUID_2,
    UUID_3,
    beneficiary,
    calculation,
    element,
    features,
    flxwage,
    month,
    relation,
    wage_form,
)

SENDER = "123456"
BRASSERIE = {CBE_BRASSERIE, NOSS_BRASSERIE}
UUID_4 = "5b1c9e2a-7d3f-4e8b-a1c2-3d4e5f6a7b8c"
UUID_5 = "e7d6c5b4-a3f2-41e0-9d8c-7b6a59483726"


def view(root: Path, *args: str) -> dict[str, Any]:
    shown = flexibatch(root, *args, "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def cents(euros: str) -> int:
    return int(Decimal(euros) * 100)


def drop(root: Path, purpose: str, seq: str, content: bytes) -> str:
    key = f"{SENDER}.20260624.{seq}.R"
    folder = root / "inbox" / SENDER
    (folder / f"FI.{purpose}.{key}.1.1.xml").write_bytes(content)
    (folder / f"GO.{purpose}.{key}.1").write_bytes(b"")
    return key


def june(amount: int) -> str:
    return month("2026-06-01", "2026-06-30", amount)


def fund_premium(amount: int) -> str:
    return calculation(
        "2026-06-01",
        "2026-06-30",
        features("2026-06-01", "2026-06-30", element(PREMIUM, amount, frequency=12)),
    )


def employer_of(numbers: set[str]) -> str:
    """One employer whichever of its numbers a declaration gave (only the Brasserie has two here)."""
    return "Brasserie du Parc" if numbers & BRASSERIE else "/".join(sorted(numbers))


@dataclass
class Told:
    """What the NOTIs announced, in the order they were decided."""

    #: Dimona period id -> (employer numbers as declared, worker).
    periods: dict[str, tuple[set[str], str]] = field(default_factory=dict)
    #: (worker, year) -> the last YearTotal announced.
    totals: dict[tuple[str, int], int] = field(default_factory=dict)
    #: (employer, worker, lower-case relation id) -> the last (version, status).
    relations: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)
    #: Every Flexi at work decision, in order.
    wages: list[Decision] = field(default_factory=list)

    def read_dimona(self, decisions: list[Decision]) -> None:
        for d in decisions:
            assert d.accepted and d.period_id, d.anomalies
            self.periods[d.period_id] = (set(d.employer.values()), d.insz[0])

    def read_flexi(self, decisions: list[Decision]) -> None:
        self.wages += decisions
        for d in decisions:
            assert d.accepted, d.anomalies
            (worker,) = d.insz  # one worker per declaration here, so every report is theirs
            for impact in d.flexi:
                for year, amount in impact.year_totals:
                    self.totals[(worker, year)] = amount
                employer = employer_of(set(d.employer.values()))
                self.relations[(employer, worker, impact.relation_id.lower())] = (
                    impact.version,
                    impact.status,
                )

    def periods_of(self, worker: str, employer: set[str] | None = None) -> set[str]:
        return {
            pid
            for pid, (numbers, insz) in self.periods.items()
            if insz == worker and (not employer or numbers & employer)
        }


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Told]:
    """Sample reference data loaded, the three files processed by one `run`, and what their NOTIs said."""
    root = tmp_path_factory.mktemp("views")
    (root / "inbox" / SENDER).mkdir(parents=True)
    (root / "outbox").mkdir()
    loaded = flexibatch(root, "refdata", "load", str(SAMPLES / "refdata"))
    assert loaded.returncode == 0, loaded.stderr

    dimona_key = drop(
        root,
        "DIMN",
        "00001",
        dimona(
            dimona_in("2026-06-25", insz=INSZ_A, noss=NOSS_BRASSERIE),
            dimona_in("2026-06-26", insz=INSZ_A, noss=None, company_id=CBE_BRASSERIE),
            dimona_in("2026-06-25", insz=INSZ_B, noss=NOSS_BRASSERIE),
            dimona_in("2026-06-27", insz=INSZ_A, noss=None, company_id=CBE_LEMAIRE),
        ),
    )
    originals = drop(
        root,
        "FLEX",
        "00002",
        flxwage(
            wage_form(beneficiary(INSZ_A, relation(UUID_1, june(50_000)), relation(UUID_3, june(30_000)))),
            wage_form(beneficiary(INSZ_B, relation(UUID_2, june(20_000)))),
            wage_form(
                beneficiary(INSZ_A, relation(UUID_2, fund_premium(100_000))), company_id=None, noss=NOSS_FONDS
            ),
            wage_form(beneficiary(INSZ_PENSIONER, relation(UUID_4, june(1_900_000)))),
        ),
    )
    changes = drop(
        root,
        "FLEX",
        "00003",
        flxwage(
            wage_form(
                beneficiary(INSZ_A, relation(UUID_1, june(70_000))),
                status="1",
                company_id=None,
                noss=NOSS_BRASSERIE,
            ),
            wage_form(beneficiary(INSZ_A, relation(UUID_3.lower())), status="3"),
            wage_form(
                beneficiary(
                    INSZ_A,
                    relation(UUID_5, month("2025-12-01", "2025-12-31", 40_000, calculated="2026-06-22")),
                )
            ),
        ),
    )

    ran = flexibatch(root, "run")
    assert ran.returncode == 0, ran.stderr

    told = Told()
    answers = root / "outbox" / SENDER
    told.read_dimona(read_noti(answers / f"FO.NOTI.{dimona_key}.DIMN"))
    told.read_flexi(read_noti(answers / f"FO.NOTI.{originals}.FLEX"))
    told.read_flexi(read_noti(answers / f"FO.NOTI.{changes}.FLEX"))
    return root, told


def test_the_worker_total_is_the_last_year_total_the_notis_announced(installation: tuple[Path, Told]) -> None:
    root, told = installation

    worker = view(root, "worker", INSZ_A, "--year", "2026")

    assert (worker["insz"], worker["year"], worker["env"]) == (INSZ_A, 2026, "R")
    assert cents(worker["total"]) == told.totals[(INSZ_A, 2026)]
    # The modification replaced 500.00 by 700.00; the cancelled 300.00 no longer counts; the fund paid 1000.00.
    assert cents(worker["total"]) == 70_000 + 100_000


def test_the_amounts_per_employer_add_up_to_the_total(installation: tuple[Path, Told]) -> None:
    root, _ = installation

    worker = view(root, "worker", INSZ_A, "--year", "2026")

    per_employer = worker["income_per_employer"]
    assert len(per_employer) == 2, per_employer
    assert sum(cents(amount) for amount in per_employer.values()) == cents(worker["total"])
    brasserie = [amount for name, amount in per_employer.items() if "Brasserie du Parc" in name]
    assert brasserie == ["700.00"]


def test_the_margin_is_the_ceiling_minus_the_total(installation: tuple[Path, Told]) -> None:
    root, _ = installation

    worker = view(root, "worker", INSZ_A, "--year", "2026")

    assert worker["ceiling"] == "18000.00"
    assert cents(worker["margin"]) == cents(worker["ceiling"]) - cents(worker["total"])
    assert worker["pensioner"] is False


def test_another_year_shows_that_year_s_total(installation: tuple[Path, Told]) -> None:
    root, told = installation

    worker = view(root, "worker", INSZ_A, "--year", "2025")

    assert cents(worker["total"]) == told.totals[(INSZ_A, 2025)] == 40_000
    assert sum(cents(a) for a in worker["income_per_employer"].values()) == 40_000


def test_the_worker_view_lists_the_dimona_periods_the_noti_announced(installation: tuple[Path, Told]) -> None:
    root, told = installation

    worker = view(root, "worker", INSZ_A, "--year", "2026")

    listed = {p["period_id"] for p in worker["dimona_periods"]}
    assert listed == told.periods_of(INSZ_A)
    assert len(listed) == 3, (
        "two at the Brasserie, whichever number declared them, and one at Traiteur Lemaire"
    )
    assert {p["status"] for p in worker["dimona_periods"]} == {"ACTIVE"}


def test_a_pensioner_has_no_ceiling_and_no_margin(installation: tuple[Path, Told]) -> None:
    root, told = installation

    worker = view(root, "worker", INSZ_PENSIONER, "--year", "2026")

    assert cents(worker["total"]) == told.totals[(INSZ_PENSIONER, 2026)]
    assert (worker["pensioner"], worker["ceiling"], worker["margin"]) == (True, None, None)
    plain = flexibatch(root, "worker", INSZ_PENSIONER, "--year", "2026")
    assert plain.returncode == 0, plain.stderr
    assert "pensioner" in plain.stdout


def test_the_plain_worker_view_mentions_the_total_and_the_remaining_margin(
    installation: tuple[Path, Told],
) -> None:
    root, _ = installation
    worker = view(root, "worker", INSZ_A, "--year", "2026")

    plain = flexibatch(root, "worker", INSZ_A, "--year", "2026")

    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert any(worker["total"] in line and "total" in line for line in lines), plain.stdout
    assert any(worker["margin"] in line and "margin" in line for line in lines), plain.stdout
    for period in worker["dimona_periods"]:
        assert period["period_id"] in plain.stdout


@pytest.mark.parametrize("number", [CBE_BRASSERIE, NOSS_BRASSERIE], ids=["enterprise-number", "rsz-number"])
def test_the_employer_view_lists_each_relation_as_the_last_noti_left_it(
    installation: tuple[Path, Told], number: str
) -> None:
    root, told = installation

    employer = view(root, "employer", number)

    assert employer["employer"]["noss"] == NOSS_BRASSERIE
    shown = {
        (worker["insz"], situation["relation_id"].lower()): (situation["version"], situation["status"])
        for worker in employer["workers"]
        for situation in worker["situations"]
    }
    expected = {
        (insz, relation_id): state
        for (employer_name, insz, relation_id), state in told.relations.items()
        if employer_name == "Brasserie du Parc"
    }
    assert shown == expected
    assert shown[(INSZ_A, UUID_1)] == (2, "ACTIVE")
    assert shown[(INSZ_A, UUID_3.lower())] == (2, "CANCELLED")
    assert (INSZ_A, UUID_2) not in shown, "the fund's relation belongs to the fund"


def test_the_employer_view_lists_its_own_dimona_periods_per_worker(installation: tuple[Path, Told]) -> None:
    root, told = installation

    employer = view(root, "employer", CBE_BRASSERIE)

    listed = {
        worker["insz"]: {p["period_id"] for p in worker["dimona_periods"]} for worker in employer["workers"]
    }
    assert listed[INSZ_A] == told.periods_of(INSZ_A, BRASSERIE)
    assert listed[INSZ_B] == told.periods_of(INSZ_B, BRASSERIE)
    assert len(listed[INSZ_A]) == 2, "Traiteur Lemaire's period is not the Brasserie's"


def test_the_plain_employer_view_lists_relations_with_version_and_status(
    installation: tuple[Path, Told],
) -> None:
    root, _ = installation

    plain = flexibatch(root, "employer", CBE_BRASSERIE)

    assert plain.returncode == 0, plain.stderr
    assert "Brasserie du Parc" in plain.stdout
    line = next(line for line in plain.stdout.splitlines() if UUID_1 in line.lower())
    assert "v2" in line and "ACTIVE" in line


@pytest.mark.parametrize("number", ["0999999823", "999999092", "12345"], ids=["enterprise", "rsz", "junk"])
def test_an_unknown_employer_exits_2(installation: tuple[Path, Told], number: str) -> None:
    root, _ = installation

    shown = flexibatch(root, "employer", number)

    assert shown.returncode == 2
    assert shown.stdout == ""
    assert number in shown.stderr


def test_one_run_decides_the_dimona_file_before_the_wage_transfers_of_the_same_day(
    installation: tuple[Path, Told],
) -> None:
    _, told = installation
    brasserie_a, brasserie_b, _fund, pensioner = told.wages[:4]

    assert "00024-152" not in brasserie_a.codes, brasserie_a.anomalies
    assert "00024-152" not in brasserie_b.codes, brasserie_b.anomalies
    assert "00024-152" in pensioner.warnings, "no Dimona was declared for the pensioner"
