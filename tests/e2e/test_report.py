"""`flexibatch report` on a month of real submissions, read as a person reads it: in real Chromium.

A month of files (tests/support/month.py) goes through `flexibatch run` day by day with the
business clock pinned to each day; the report is made by the real CLI and opened in headless
Chromium over its DevTools protocol. The figures the page shows are held to the month's own plan
(what each declaration comes to, from the inputs), the page must raise no console error and fetch
nothing but its own files, and a screenshot stays in the test's folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flexibatch.domain.anomalies import DECLARATION_CODES
from flexibatch.i18n import translator
from support.browser import Browser, Page
from support.channel import SAMPLES
from support.cli import flexibatch
from support.month import DAYS, OVER_CEILING, Declaration, Submission, drop, june

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Submission]]:
    """An installation that received June's submissions, each day's at 09:00 that day."""
    root = tmp_path_factory.mktemp("month")
    (root / "inbox").mkdir()
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    submissions = june()
    for day in DAYS:
        drop(root / "inbox", [s for s in submissions if s.day == day])
        ran = flexibatch(root, "run", FLEXIBATCH_NOW=f"{day}T09:00:00")
        assert ran.returncode == 0, ran.stderr
    return root, submissions


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


def _rows(page: Page, table: str) -> list[list[str]]:
    script = f"[...document.querySelectorAll('#{table} tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))"
    rows: list[list[str]] = page.evaluate(script)
    return rows


def _text(page: Page, element: str) -> str:
    text: str = page.evaluate(f"document.getElementById('{element}').textContent")
    return text


def _results(declarations: list[Declaration]) -> Counter[str]:
    return Counter(d.result for d in declarations)


def _report(root: Path, *args: str, now: str) -> Path:
    made = flexibatch(root, "report", "--out", str(root / "report"), *args, FLEXIBATCH_NOW=now)
    assert made.returncode == 0, made.stderr
    return root / "report" / "index.html"


def test_the_report_of_a_month_shows_its_figures_in_chromium(
    month: tuple[Path, list[Submission]], browser: Browser, tmp_path: Path
) -> None:
    root, submissions = month
    index = _report(root, "--since", "2026-06-01", "--until", "2026-06-30", now="2026-07-01T08:00:00")
    page = browser.open(index.as_uri(), height=1000)
    page.screenshot(tmp_path / "report.png")
    declarations = [d for s in submissions for d in s.declarations]
    results = _results(declarations)
    assert _text(page, "total-submissions") == str(len(submissions))
    assert _text(page, "total-submissions-refused") == str(
        sum(s.refused_with is not None for s in submissions)
    )
    assert _text(page, "total-declarations") == str(len(declarations))
    assert _text(page, "total-accepted") == str(results["ACCEPTED"])
    assert _text(page, "total-warnings") == str(results["ACCEPTED_WITH_WARNING"])
    assert _text(page, "total-refused") == str(results["REFUSED"])
    assert page.complaints() == []
    assert all(url.startswith(index.parent.as_uri()) for url in page.requests()), page.requests()
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_each_day_shows_its_declarations_by_result(
    month: tuple[Path, list[Submission]], browser: Browser
) -> None:
    root, submissions = month
    page = browser.open(
        _report(root, "--since", "2026-06-01", "--until", "2026-06-30", now="2026-07-01T08:00:00").as_uri()
    )
    expected = []
    for day in DAYS:
        sent = [s for s in submissions if s.day == day]
        results = _results([d for s in sent for d in s.declarations])
        refused_files = sum(s.refused_with is not None for s in sent)
        expected.append(
            [
                day.isoformat(),
                *map(
                    str,
                    (
                        len(sent),
                        refused_files,
                        results["ACCEPTED"],
                        results["ACCEPTED_WITH_WARNING"],
                        results["REFUSED"],
                    ),
                ),
            ]
        )
    assert _rows(page, "per-day") == expected
    bars = page.evaluate("document.querySelectorAll('svg rect title').length")
    assert bars >= len(DAYS), "a bar per day and result"


def test_refusals_and_warnings_by_error_id_with_their_labels(
    month: tuple[Path, list[Submission]], browser: Browser
) -> None:
    root, submissions = month
    page = browser.open(
        _report(root, "--since", "2026-06-01", "--until", "2026-06-30", now="2026-07-01T08:00:00").as_uri()
    )
    counted: Counter[tuple[str, str]] = Counter(
        code for s in submissions for d in s.declarations for code in d.error_ids
    )
    shown = {(row[0], row[1]): row for row in _rows(page, "declaration-errors")}
    assert {key: int(row[3]) for key, row in shown.items()} == {
        (code, {"B": "refusal", "NP": "warning"}[cls]): n for (code, cls), n in counted.items()
    }
    for (code, _), row in shown.items():
        assert row[2] == DECLARATION_CODES[code][1]
    files = Counter(s.refused_with for s in submissions if s.refused_with)
    assert {row[0]: int(row[2]) for row in _rows(page, "file-errors")} == dict(files)


def test_the_employers_and_senders_with_the_most_refusals(
    month: tuple[Path, list[Submission]], browser: Browser
) -> None:
    root, submissions = month
    page = browser.open(
        _report(root, "--since", "2026-06-01", "--until", "2026-06-30", now="2026-07-01T08:00:00").as_uri()
    )
    refused_per_employer = Counter(
        d.employer for s in submissions for d in s.declarations if d.result == "REFUSED"
    )
    employers = _rows(page, "top-employers")
    assert [(row[0], int(row[3])) for row in employers] == sorted(
        refused_per_employer.items(), key=lambda kv: (-kv[1], kv[0])
    )
    refused_per_sender = Counter(
        s.sender for s in submissions for d in s.declarations if d.result == "REFUSED"
    )
    assert [(row[0], int(row[5])) for row in _rows(page, "top-senders")] == refused_per_sender.most_common()
    ceiling = _rows(page, "over-ceiling")
    assert [(row[0], row[3]) for row in ceiling] == [("R", f"{OVER_CEILING / 100:.2f}")]


def test_one_page_per_submission(month: tuple[Path, list[Submission]], browser: Browser) -> None:
    root, submissions = month
    page = browser.open(
        _report(root, "--since", "2026-06-01", "--until", "2026-06-30", now="2026-07-01T08:00:00").as_uri()
    )
    links: list[list[Any]] = page.evaluate(
        "[...document.querySelectorAll('#submissions a')].map(a => [a.textContent, a.href])"
    )
    assert sorted(name for name, _ in links) == sorted(s.name for s in submissions)
    busiest = max(submissions, key=lambda s: len(s.declarations))
    page.go(next(href for name, href in links if name == busiest.name))
    results = _results(busiest.declarations)
    assert _text(page, "file") == busiest.name
    assert _text(page, "declarations") == str(len(busiest.declarations))
    assert (_text(page, "accepted"), _text(page, "warnings"), _text(page, "refused")) == tuple(
        str(results[r]) for r in ("ACCEPTED", "ACCEPTED_WITH_WARNING", "REFUSED")
    )
    assert page.complaints() == []


def test_the_default_period_is_the_last_31_days_both_included(
    month: tuple[Path, list[Submission]], browser: Browser
) -> None:
    """On 1 July the last 31 days run from 1 June; on 30 June from 31 May and without July."""
    root, submissions = month
    page = browser.open(_report(root, now="2026-07-01T08:00:00").as_uri())
    assert _text(page, "total-submissions") == str(len(submissions))
    page = browser.open(_report(root, now="2026-07-02T08:00:00").as_uri())
    assert _text(page, "total-submissions") == str(sum(s.day >= DAYS[1] for s in submissions))


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_the_report_speaks_the_chosen_language(
    month: tuple[Path, list[Submission]], browser: Browser, language: str
) -> None:
    """`--lang` changes the words, the ErrorIDs' labels included, never the figures (SPEC 10)."""
    root, submissions = month
    index = _report(
        root, "--since", "2026-06-01", "--until", "2026-06-30", "--lang", language, now="2026-07-01T08:00:00"
    )
    page = browser.open(index.as_uri())
    translate = translator(language)
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate("document.querySelector('h1').textContent") == translate("flexibatch report")
    labels = {row[0]: row[2] for row in _rows(page, "declaration-errors")}
    for code, label in labels.items():
        assert label == translate(DECLARATION_CODES[code][1]) != DECLARATION_CODES[code][1]
    assert _text(page, "total-declarations") == str(sum(len(s.declarations) for s in submissions))
    assert page.complaints() == []


def test_the_language_setting_is_the_default_of_the_report(
    month: tuple[Path, list[Submission]], browser: Browser
) -> None:
    root, _ = month
    made = flexibatch(
        root,
        "report",
        "--out",
        str(root / "report-de"),
        FLEXIBATCH_DEFAULT_LANGUAGE="de",
        FLEXIBATCH_NOW="2026-07-01T08:00:00",
    )
    assert made.returncode == 0, made.stderr
    page = browser.open((root / "report-de" / "index.html").as_uri())
    assert page.evaluate("document.documentElement.lang") == "de"
