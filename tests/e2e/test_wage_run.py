"""The employer's wage run (`employer ID --from --to`, `worker INSZ --year`) through the real CLI.

One installation for the module, built by real submissions: the sample reference data, Dimona and
Flexi at work files dropped in the inbox and processed by two `flexibatch run`s (the second cancels
a period and a wage transfer the first accepted, as a sender would once the NOTI gave the ids).
The Brasserie du Parc declares its Dimona with its RSZ number and its wages with its enterprise
number. Every period id expected comes from the NOTIs; every status from what the workers were
declared with:

| worker | Dimona (Brasserie unless said) | wages (June unless said) | June status |
|---|---|---|---|
| PAID | 25/06, and 10/05 (outside June) | validity 25/06 | wages sent |
| UNPAID | 26/06 | none | Dimona without wages |
| NO_DIMONA | none | June | wages without Dimona (00024-152) |
| PERIOD_CANCELLED | 27/06, cancelled | June | wages without Dimona |
| WAGES_CANCELLED | 25/06 | June, cancelled | Dimona without wages |
| NIGHT | 30/06 22:00 to 01/07 02:00 | July, validity 01/07 | wages sent (by the July transfer) |
| SINCE_MAY | 20/05 to 05/06, no hours | none | Dimona without wages |
| ELSEWHERE | at Traiteur Lemaire, 25/06 | June, from the Brasserie | wages without Dimona |

In test (`T`): UNPAID with wages, and TEST_ONLY with a Dimona, neither seen in production.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from support.answers import Decision, read_noti
from support.builders import (
    CBE_BRASSERIE,
    CBE_LEMAIRE,
    NOSS_BRASSERIE,
    dimona,
    dimona_cancel,
    dimona_day,
    dimona_in,
)
from support.channel import SAMPLES
from support.cli import cli_env, flexibatch, one_sentence, workers
from support.flexi_builders import (
    WAGE,
    beneficiary,
    calculation,
    element,
    features,
    flxwage,
    relation,
    wage_form,
)

SENDER = "123456"
PAID, UNPAID, NO_DIMONA, PERIOD_CANCELLED, WAGES_CANCELLED, NIGHT, SINCE_MAY, ELSEWHERE, TEST_ONLY = workers(
    9
)
JUNE = ("--from", "2026-06-01", "--to", "2026-06-30")


def rel(worker: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wage-run/{worker}"))


def wage(
    worker: str, start: str = "2026-06-01", end: str = "2026-06-30", valid: tuple[str, str] | None = None
) -> str:
    """An original wage transfer from the Brasserie, by its enterprise number."""
    first, last = valid or (start, end)
    pay = calculation(start, end, features(first, last, element(WAGE, 30_000)), calculated="2026-06-22")
    return wage_form(beneficiary(worker, relation(rel(worker), pay)), company_id=CBE_BRASSERIE)


def drop(root: Path, purpose: str, seq: str, content: bytes, env: str = "R") -> Path:
    key = f"{SENDER}.20260624.{seq}.{env}"
    folder = root / "inbox" / SENDER
    (folder / f"FI.{purpose}.{key}.1.1.xml").write_bytes(content)
    (folder / f"GO.{purpose}.{key}.1").write_bytes(b"")
    return root / "outbox" / SENDER / f"FO.NOTI.{key}.{purpose}"


def run(root: Path) -> None:
    ran = flexibatch(root, "run")
    assert ran.returncode == 0, ran.stderr


def accepted(noti: Path) -> list[Decision]:
    decisions = read_noti(noti)
    assert all(d.accepted for d in decisions), [d.anomalies for d in decisions]
    return decisions


def ids_of(decisions: list[Decision]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in decisions:
        assert d.period_id
        found.setdefault(d.insz[0], []).append(d.period_id)
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]], list[Decision]]:
    """The installation, the production period ids per worker (in declaration order) the NOTIs
    announced, and the decisions on the first wage transfers."""
    root = tmp_path_factory.mktemp("wage-run")
    (root / "inbox" / SENDER).mkdir(parents=True)
    (root / "outbox").mkdir()
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    periods = drop(
        root,
        "DIMN",
        "00001",
        dimona(
            dimona_in("2026-06-25", insz=PAID),
            dimona_in("2026-05-10", insz=PAID),
            dimona_in("2026-06-26", insz=UNPAID),
            dimona_in("2026-06-27", insz=PERIOD_CANCELLED),
            dimona_in("2026-06-25", insz=WAGES_CANCELLED),
            dimona_in("2026-06-30", "2200", "0200", "2026-07-01", insz=NIGHT),
            dimona_day("2026-05-20", "2026-06-05", insz=SINCE_MAY),
            dimona_in("2026-06-25", insz=ELSEWHERE, noss=None, company_id=CBE_LEMAIRE),
        ),
    )
    wages = drop(
        root,
        "FLEX",
        "00002",
        flxwage(
            wage(PAID, valid=("2026-06-25", "2026-06-25")),
            wage(NO_DIMONA),
            wage(PERIOD_CANCELLED),
            wage(WAGES_CANCELLED),
            wage(NIGHT, "2026-07-01", "2026-07-31", ("2026-07-01", "2026-07-01")),
            wage(ELSEWHERE),
        ),
    )
    test_periods = drop(
        root,
        "DIMN",
        "00003",
        dimona(dimona_in("2026-06-26", insz=UNPAID), dimona_in("2026-06-26", insz=TEST_ONLY)),
        "T",
    )
    test_wages = drop(root, "FLEX", "00004", flxwage(wage(UNPAID)), "T")
    run(root)
    production = ids_of(accepted(periods))
    accepted(test_periods)
    accepted(test_wages)
    first_wages = accepted(wages)
    cancels = drop(root, "DIMN", "00005", dimona(dimona_cancel(production[PERIOD_CANCELLED][0])))
    withdrawn = drop(
        root,
        "FLEX",
        "00006",
        flxwage(wage_form(beneficiary(WAGES_CANCELLED, relation(rel(WAGES_CANCELLED))), status="3")),
    )
    run(root)
    accepted(cancels)
    assert [impact.status for d in accepted(withdrawn) for impact in d.flexi] == ["CANCELLED"]
    return root, production, first_wages


def shown(root: Path, *args: str) -> dict[str, Any]:
    result = flexibatch(root, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_worker(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["insz"]: w for w in view["workers"]}


@pytest.mark.parametrize("number", [NOSS_BRASSERIE, CBE_BRASSERIE], ids=["rsz-number", "enterprise-number"])
def test_each_worker_of_june_has_the_status_of_what_was_declared_for_them(store: Any, number: str) -> None:
    root, _, _ = store

    workers_ = by_worker(shown(root, "employer", number, *JUNE))

    assert {insz: w["status"] for insz, w in workers_.items()} == {
        PAID: "wages_sent",
        UNPAID: "dimona_without_wages",
        NO_DIMONA: "wages_without_dimona",
        PERIOD_CANCELLED: "wages_without_dimona",
        WAGES_CANCELLED: "dimona_without_wages",
        NIGHT: "wages_sent",
        SINCE_MAY: "dimona_without_wages",
        ELSEWHERE: "wages_without_dimona",
    }
    assert TEST_ONLY not in workers_


def test_the_periods_listed_are_the_active_ones_of_june_the_notis_announced(store: Any) -> None:
    root, production, _ = store

    workers_ = by_worker(shown(root, "employer", CBE_BRASSERIE, *JUNE))

    listed = {insz: [p["period_id"] for p in w["periods"]] for insz, w in workers_.items() if w["periods"]}
    assert listed == {
        PAID: production[PAID][:1],  # the May period is outside June
        UNPAID: production[UNPAID],
        WAGES_CANCELLED: production[WAGES_CANCELLED],
        NIGHT: production[NIGHT],
        SINCE_MAY: production[SINCE_MAY],
    }, "the cancelled period and Traiteur Lemaire's are not the Brasserie's June"
    assert workers_[PAID]["periods"][0]["wages"] == [rel(PAID)]
    assert workers_[PAID]["situations"][0]["dimona"] == production[PAID][:1]


def test_wages_without_dimona_are_what_00024_152_warned_of_and_what_a_cancellation_left(store: Any) -> None:
    root, _, first_wages = store
    warned = {d.insz[0] for d in first_wages if "00024-152" in d.warnings}

    workers_ = by_worker(shown(root, "employer", CBE_BRASSERIE, *JUNE))

    unbacked = {insz for insz, w in workers_.items() if w["status"] == "wages_without_dimona"}
    assert warned == {NO_DIMONA, ELSEWHERE}
    assert unbacked == warned | {PERIOD_CANCELLED}
    for insz in unbacked:
        (situation,) = workers_[insz]["situations"]
        assert (situation["relation_id"], situation["status"], situation["dimona"]) == (
            rel(insz),
            "wages_without_dimona",
            [],
        )


def test_a_period_crossing_the_end_of_the_range_is_paid_by_the_transfer_for_its_last_day(store: Any) -> None:
    root, production, _ = store

    june = by_worker(shown(root, "employer", NOSS_BRASSERIE, *JUNE))[NIGHT]
    july = by_worker(shown(root, "employer", NOSS_BRASSERIE, "--from", "2026-07-01", "--to", "2026-07-31"))[
        NIGHT
    ]

    assert [(p["period_id"], p["status"], p["wages"]) for p in june["periods"]] == [
        (production[NIGHT][0], "wages_sent", [rel(NIGHT)])
    ]
    assert june["situations"] == [], "the July transfer's validity does not meet June"
    assert [p["period_id"] for p in july["periods"]] == production[NIGHT], "it crosses July's start too"
    assert [s["relation_id"] for s in july["situations"]] == [rel(NIGHT)]


def test_a_period_crossing_the_start_of_the_range_counts(store: Any) -> None:
    root, production, _ = store

    workers_ = by_worker(
        shown(root, "employer", NOSS_BRASSERIE, "--from", "2026-06-05", "--to", "2026-06-05")
    )

    assert {insz for insz, w in workers_.items() if w["periods"]} == {SINCE_MAY}, "the only Dimona of 5 June"
    assert [p["period_id"] for p in workers_[SINCE_MAY]["periods"]] == production[SINCE_MAY]


def test_missing_keeps_only_the_workers_still_to_pay(store: Any) -> None:
    root, _, _ = store
    everyone = shown(root, "employer", CBE_BRASSERIE, *JUNE)

    missing = shown(root, "employer", CBE_BRASSERIE, *JUNE, "--missing")

    assert {w["insz"] for w in missing["workers"]} == {UNPAID, WAGES_CANCELLED, SINCE_MAY}
    assert (
        missing["counts"]
        == everyone["counts"]
        == {
            "wages_sent": 2,
            "dimona_without_wages": 3,
            "wages_without_dimona": 3,
        }
    )
    plain = flexibatch(root, "employer", CBE_BRASSERIE, *JUNE, "--missing")
    assert plain.returncode == 0, plain.stderr
    assert UNPAID in plain.stdout and PAID not in plain.stdout
    assert "Dimona without wages" in plain.stdout


def test_the_csv_opens_in_excel_as_one_row_per_period_and_per_calculation(store: Any) -> None:
    root, _, _ = store
    view = by_worker(shown(root, "employer", CBE_BRASSERIE, *JUNE))

    with (root / "june.csv").open("wb") as out:  # flexibatch employer ... --csv > june.csv
        command = [sys.executable, "-m", "flexibatch", "employer", CBE_BRASSERIE, *JUNE, "--csv"]
        assert subprocess.run(command, env=cli_env(root), cwd=root, stdout=out, check=False).returncode == 0

    raw = (root / "june.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()), "Excel reads UTF-8 only after a byte-order mark"
    # As Excel on a Belgian machine reads it: UTF-8 after the BOM, ';' between cells.
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert {(r["insz"], r["worker_status"]) for r in rows} == {(i, w["status"]) for i, w in view.items()}
    dimona_rows = {(r["insz"], r["period_id"], r["status"]) for r in rows if r["line"] == "dimona"}
    assert dimona_rows == {(i, p["period_id"], p["status"]) for i, w in view.items() for p in w["periods"]}
    wage_rows = [r for r in rows if r["line"] == "wages"]
    assert {(r["insz"], r["relation_id"], r["status"]) for r in wage_rows} == {
        (i, s["relation_id"], s["status"]) for i, w in view.items() for s in w["situations"]
    }
    assert {r["wage_cents"] for r in wage_rows} == {"30000"}
    paid = next(r for r in wage_rows if r["insz"] == PAID)
    assert paid["validity"] == "2026-06-25/2026-06-25"
    assert {(r["employer_noss"], r["employer_company_id"]) for r in rows} == {(NOSS_BRASSERIE, CBE_BRASSERIE)}


def test_test_and_production_are_kept_apart(store: Any) -> None:
    root, _, _ = store

    production = by_worker(shown(root, "employer", CBE_BRASSERIE, *JUNE))
    test = by_worker(shown(root, "employer", CBE_BRASSERIE, *JUNE, "--env", "T"))

    assert production[UNPAID]["status"] == "dimona_without_wages", "the test wages do not pay production"
    assert {insz: w["status"] for insz, w in test.items()} == {
        UNPAID: "wages_sent",
        TEST_ONLY: "dimona_without_wages",
    }
    assert TEST_ONLY not in production


def test_the_worker_view_keeps_to_its_year_and_reconciles_it_per_employer(store: Any) -> None:
    root, production, _ = store
    extra = drop(root, "DIMN", "00007", dimona(dimona_in("2027-01-05", insz=ELSEWHERE)))
    run(root)
    (next_year,) = accepted(extra)

    worker = shown(root, "worker", ELSEWHERE, "--year", "2026")
    later = shown(root, "worker", ELSEWHERE, "--year", "2027")

    assert [p["period_id"] for p in worker["dimona_periods"]] == production[ELSEWHERE]
    assert [p["period_id"] for p in later["dimona_periods"]] == [next_year.period_id]
    assert [(w["employer"], w["status"]) for w in worker["wage_run"]] == [
        ("Brasserie du Parc (175110801)", "wages_without_dimona"),
        ("Traiteur Lemaire (175110995)", "dimona_without_wages"),
    ]
    assert [(w["employer"], w["status"]) for w in later["wage_run"]] == [
        ("Brasserie du Parc (175110801)", "dimona_without_wages")
    ]
    plain = flexibatch(root, "worker", ELSEWHERE, "--year", "2026")
    assert plain.returncode == 0, plain.stderr
    assert next_year.period_id not in plain.stdout
    assert "wages without Dimona" in plain.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--missing",), ("--missing", "--from and --to")),
        (("--csv",), ("--csv", "--from and --to")),
        (("--from", "2026-06-01"), ("--from and --to go together",)),
        (("--from", "2026-06-30", "--to", "2026-06-01"), ("2026-06-01", "before it starts")),
    ],
    ids=["missing-alone", "csv-alone", "one-end", "backwards"],
)
def test_a_wage_run_asked_wrongly_is_one_sentence_and_exit_2(
    store: Any, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    root, _, _ = store

    one_sentence(flexibatch(root, "employer", CBE_BRASSERIE, *args), 2, *words)


def test_a_date_that_is_not_one_is_a_usage_error(store: Any) -> None:
    root, _, _ = store

    result = flexibatch(root, "employer", CBE_BRASSERIE, "--from", "2026-06-31", "--to", "2026-07-01")

    assert result.returncode == 2
    assert "'2026-06-31' is not a date written YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("lang", "unpaid"), [("nl", "Dimona zonder loon"), ("fr", "Dimona sans salaire")])
def test_the_words_follow_lang_and_the_codes_do_not(store: Any, lang: str, unpaid: str) -> None:
    root, _, _ = store

    plain = flexibatch(root, "employer", CBE_BRASSERIE, *JUNE, "--missing", "--lang", lang)
    worded = shown(root, "employer", CBE_BRASSERIE, *JUNE, "--lang", lang)

    assert plain.returncode == 0, plain.stderr
    assert unpaid in plain.stdout and "Dimona without wages" not in plain.stdout
    assert worded == shown(root, "employer", CBE_BRASSERIE, *JUNE), "--json is the same in every language"
    year = flexibatch(root, "worker", UNPAID, "--year", "2026", "--lang", lang)
    assert unpaid in year.stdout
