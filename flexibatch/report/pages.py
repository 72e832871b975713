"""The report's pages: `index.html` for the period and one page per submission under `submissions/`.

`write_report` is the use case `flexibatch report` calls: read the period, aggregate, lay out,
write each file under a temporary name and rename it into place, so a browser never opens half a
page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from flexibatch.domain.refdata import RefData
from flexibatch.errors import ChannelError
from flexibatch.report import figures, svg
from flexibatch.report.data import PeriodData, read_period
from flexibatch.report.html import Cell, link, page, section, summary, table
from flexibatch.report.words import Words
from flexibatch.store.ports import Store

#: The bars of the ErrorID chart: the most frequent ones.
CHART_ERRORS = 15


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _overview(data: PeriodData, w: Words, made: datetime) -> str:
    t = figures.totals(data)
    head = (
        f"<h1>{escape(w.title)}</h1><p>{escape(w.period.format(since=data.since, until=data.until))}</p>"
        f'<p class="muted">{escape(w.generated.format(at=f"{made:%Y-%m-%d %H:%M}"))}</p>'
    )
    return head + section(
        w.summary,
        summary(
            [
                ("total-submissions", w.submissions, t.submissions),
                ("total-submissions-accepted", w.submissions_accepted, t.accepted_files),
                ("total-submissions-refused", w.submissions_refused, t.refused_files),
                ("total-declarations", w.declarations, t.declarations),
                ("total-accepted", w.accepted, t.accepted),
                ("total-warnings", w.with_warning, t.warnings),
                ("total-refused", w.refused, t.refused),
            ]
        ),
    )


def _per_day(data: PeriodData, w: Words) -> str:
    days = figures.per_day(data)
    labels = [d.isoformat() for d in days["day"]]
    names = [w.accepted, w.with_warning, w.refused]
    chart = svg.stacked_days(w.chart_per_day, labels, [list(days[c]) for c in figures.RESULTS], names)
    rows = [
        (r.day.isoformat(), r.submissions, r.files_refused, r.accepted, r.warnings, r.refused)
        for r in figures.records(days)
        if r.submissions  # the chart shows every day; the table the days something came
    ]
    headers = [w.day, w.submissions, w.submissions_refused, *names]
    return section(w.per_day, chart, table("per-day", headers, rows, w.nothing))


def _errors(data: PeriodData, w: Words) -> str:
    files = figures.file_errors(data)
    file_rows = [(r.error_id, w.label(r.error_id), r.files) for r in figures.records(files)]
    decl = figures.declaration_errors(data)
    classes = {"B": w.blocking, "NP": w.warning}
    decl_rows = [
        (r.error_id, classes[r.cls], w.label(r.error_id), r.declarations, r.files)
        for r in figures.records(decl)
    ]
    bars = [
        (r.error_id, int(r.declarations), svg.COLOURS[2] if r.cls == "B" else svg.COLOURS[1])
        for r in figures.records(decl.head(CHART_ERRORS))
    ]
    return section(
        w.file_errors, table("file-errors", [w.error_id, w.meaning, w.files], file_rows, w.nothing)
    ) + section(
        w.declaration_errors,
        svg.horizontal_bars(w.chart_errors, bars) if bars else "",
        table(
            "declaration-errors",
            [w.error_id, w.error_class, w.meaning, w.declarations, w.files],
            decl_rows,
            w.nothing,
        ),
    )


def _who(data: PeriodData, w: Words) -> str:
    employers = figures.top_employers(data)
    employer_rows = [
        (
            r.key or w.no_employer,
            r.name if isinstance(r.name, str) else w.unknown,
            r.declarations,
            r.refused,
            r.warnings,
        )
        for r in figures.records(employers)
    ]
    senders = figures.top_senders(data)
    sender_rows = [
        (
            r.sender,
            r.name if isinstance(r.name, str) else w.unknown,
            r.submissions,
            r.files_refused,
            r.declarations,
            r.refused,
        )
        for r in figures.records(senders)
    ]
    over = data.over_ceiling
    over_rows = [
        (r.env, r.insz, r.year, _euros(r.amount), _euros(r.ceiling), _euros(r.amount - r.ceiling))
        for r in figures.records(over)
    ]
    return (
        section(
            w.top_employers,
            table(
                "top-employers",
                [w.employer, w.name, w.declarations, w.refused, w.with_warning],
                employer_rows,
                w.nothing,
            ),
        )
        + section(
            w.top_senders,
            table(
                "top-senders",
                [w.sender, w.name, w.submissions, w.submissions_refused, w.declarations, w.refused],
                sender_rows,
                w.nothing,
            ),
        )
        + section(
            w.over_ceiling,
            table(
                "over-ceiling",
                [w.environment, w.worker, w.year, w.income, w.ceiling, w.excess],
                over_rows,
                w.nothing,
            ),
        )
    )


def _submission_row(r: Any, w: Words) -> list[Cell]:
    return [
        r.reception_time.isoformat(sep=" ", timespec="seconds"),
        link(f"submissions/{r.ticket}.html", r.file_name),
        r.sender,
        r.env,
        w.outcomes[r.outcome],
        int(r.declarations),
        int(r.accepted - r.warnings),
        int(r.warnings),
        int(r.refused),
        ", ".join(r.error_ids),
    ]


def _submissions(data: PeriodData, w: Words) -> str:
    headers = [
        w.received,
        w.file,
        w.sender,
        w.environment,
        w.outcome,
        w.declarations,
        w.accepted,
        w.with_warning,
        w.refused,
        w.error_id,
    ]
    rows = [_submission_row(r, w) for r in figures.records(data.submissions)]
    return section(w.submissions, table("submissions", headers, rows, w.nothing))


def _grouped(frame: pd.DataFrame) -> Mapping[str, list[Any]]:
    """A tally frame's rows by ticket, read once for every submission page."""
    rows: dict[str, list[Any]] = defaultdict(list)
    for row in figures.records(frame):
        rows[row.ticket].append(row)
    return rows


def _submission_page(
    r: Any, *, errors: list[Any], employers: list[Any], refdata: RefData, w: Words, lang: str
) -> str:
    """One submission: where it came from, how it was answered, its ErrorIDs and its employers."""
    names = {
        n: name or w.unknown
        for n, (_, name) in figures.employer_names((e.employer for e in employers), refdata).items()
    }
    details = summary(
        [
            ("file", w.file, r.file_name),
            ("folder", w.folder, r.folder or "."),
            ("ticket", w.ticket, r.ticket),
            ("received", w.received, r.reception_time.isoformat(sep=" ", timespec="seconds")),
            ("sender", w.sender, r.sender or ""),
            ("purpose", w.purpose, r.purpose or ""),
            ("environment", w.environment, r.env or ""),
            ("outcome", w.outcome, w.outcomes[r.outcome]),
            ("declarations", w.declarations, r.declarations),
            ("accepted", w.accepted, r.accepted - r.warnings),
            ("warnings", w.with_warning, r.warnings),
            ("refused", w.refused, r.refused),
        ]
    )
    classes = {"B": w.blocking, "NP": w.warning}
    parts = [
        f"<p>{link('../index.html', w.back)}</p><h1>{escape(r.file_name)}</h1>",
        details,
        section(
            w.file_errors,
            table("file-errors", [w.error_id, w.meaning], [(c, w.label(c)) for c in r.error_ids], w.nothing),
        ),
        section(
            w.declaration_errors,
            table(
                "declaration-errors",
                [w.error_id, w.error_class, w.meaning, w.declarations],
                [(e.error_id, classes[e.cls], w.label(e.error_id), e.declarations) for e in errors],
                w.nothing,
            ),
        ),
        section(
            w.employers,
            table(
                "employers",
                [w.employer, w.name, w.accepted, w.with_warning, w.refused],
                [
                    (
                        e.employer or w.no_employer,
                        names[e.employer],
                        e.accepted - e.warnings,
                        e.warnings,
                        e.refused,
                    )
                    for e in employers
                ],
                w.nothing,
            ),
        ),
    ]
    return page(lang, f"{r.file_name} - {w.title}", *parts)


def write_report(
    store: Store,
    *,
    out: Path,
    since: date,
    until: date,
    ceilings: Mapping[int, int],
    w: Words,
    lang: str,
    made: datetime,
) -> int:
    """Write `out/index.html` and a page per submission; return how many submissions it shows."""
    data = read_period(store, since, until, ceilings)
    index = page(
        lang,
        w.title,
        _overview(data, w, made),
        _per_day(data, w),
        _errors(data, w),
        _who(data, w),
        _submissions(data, w),
    )
    pages = out / "submissions"  # made by the command, which checks it can be written
    errors, employers = _grouped(data.errors), _grouped(data.employers)
    for r in figures.records(data.submissions):
        html = _submission_page(
            r,
            errors=errors.get(r.ticket, []),
            employers=employers.get(r.ticket, []),
            refdata=data.refdata,
            w=w,
            lang=lang,
        )
        _write(pages / f"{r.ticket}.html", html)
    _write(out / "index.html", index)
    return len(data.submissions)


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ChannelError(f"the report folder {path.parent} failed: {exc.strerror or exc}") from None
