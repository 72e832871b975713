"""What `status` and `worker` print for people, in the language of `--lang` (SPEC 10).

The words change with the language, never the data: numbers, dates, outcomes (ACCEPTED, REFUSED),
ErrorIDs and file names are printed as they are, and `--json` keys stay English (views.py).
"""

from __future__ import annotations

from datetime import datetime

from flexibatch.domain.anomalies import N_
from flexibatch.i18n import Translate, render
from flexibatch.views import PeriodView, StatusView, WorkerView


def status_lines(view: StatusView, t: Translate) -> list[str]:
    """The recent submissions, what waits for its GO or parts, and what failed."""
    heads = [t(N_("received")), t(N_("outcome")), t(N_("decl")), t(N_("acc")), t(N_("warn")), t(N_("ref"))]
    lines = [
        f"{heads[0]:19}  {heads[1]:8}  {heads[2]:>6}  {heads[3]:>6}  {heads[4]:>6}  {heads[5]:>6}  "
        + t(N_("file / errors"))
    ]
    for row in view.submissions:
        lines.append(
            f"{row.received:19}  {row.outcome:8}  {row.declarations:>6}  {row.accepted:>6}  "
            f"{row.warnings:>6}  {row.refused:>6}  {row.file} {','.join(row.error_ids)}".rstrip()
        )
    if not view.submissions:
        lines.append(t(N_("(no submission yet)")))
    for item in view.waiting:
        waits = N_("waiting for its parts: {key} ({parts} part(s) present)")
        if not item.has_go:
            waits = N_("waiting for its GO file: {key} ({parts} part(s) present)")
        lines.append(render(t, waits, key=f"{item.folder or '.'}/{item.key}", parts=item.parts))
    for f in view.failed:
        if f.retry_at is not None:
            then = render(
                t, N_("next try {time}"), time=f"{datetime.fromisoformat(f.retry_at).astimezone():%H:%M:%S}"
            )
        elif f.quarantined == "inbox":
            then = t(N_("given up, left in the inbox"))
        else:
            then = render(t, N_("given up, in {folder}"), folder=f.quarantined)
        lines.append(
            render(
                t,
                N_("failed {attempts} time(s), {then}: {file}: {reason}"),
                attempts=f.attempts,
                then=then,
                file=f"{f.folder or '.'}/{f.file}",
                reason=f.reason,
            )
        )
    return lines


def period_lines(periods: list[PeriodView], t: Translate, indent: str = "") -> list[str]:
    if not periods:
        return [indent + t(N_("(no Dimona period)"))]
    return [
        f"{indent}{p.period_id}  {p.start} -> {p.end or t(N_('open'))}  {p.status:9}  {p.employer}"
        for p in periods
    ]


def worker_lines(view: WorkerView, t: Translate) -> list[str]:
    """A worker's flexi income per employer and in total against the ceiling, and their periods."""
    world = t(N_("production")) if view.env == "R" else t(N_("test"))
    lines = [
        render(
            t, N_("Worker {insz} - flexi income {year} ({env})"), insz=view.insz, year=view.year, env=world
        )
    ]
    lines += [f"  {amount:>12} EUR  {name}" for name, amount in view.income_per_employer.items()]
    lines.append(f"  {view.total:>12} EUR  " + t(N_("total")))
    if view.ceiling is None:
        lines.append(
            "  "
            + (
                t(N_("no ceiling: pensioner"))
                if view.pensioner
                else t(N_("no ceiling configured for this year"))
            )
        )
    else:
        lines.append(f"  {view.ceiling:>12} EUR  " + t(N_("tax-free ceiling")))
        lines.append(f"  {view.margin:>12} EUR  " + t(N_("remaining margin")))
    lines.append(t(N_("Dimona periods:")))
    return lines + period_lines(view.dimona_periods, t, "  ")
