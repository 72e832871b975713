"""The words of the wage run as people read it (`employer ID --from --to`, `worker INSZ --year`),
in the language of `--lang` (SPEC 10).

Every word of that output is here, each sentence a source template marked `N_` (the catalogues of
`flexibatch/locale/` translate it) and filled with its values after translation: an id, a date or
an amount is never translated, and every language has the same placeholders. The `--json` keys,
the CSV columns and the status codes stay language-neutral (decisions.md 57).
"""

from __future__ import annotations

from flexibatch.domain.anomalies import N_
from flexibatch.i18n import Translate, english, render
from flexibatch.views import EmployerRunView
from flexibatch.wage_run_views import RunWorker

#: What each status code reads as.
STATUS_WORDS = {
    "wages_sent": N_("wages sent"),
    "dimona_without_wages": N_("Dimona without wages"),
    "wages_without_dimona": N_("wages without Dimona"),
}


def _status(t: Translate, code: str) -> str:
    return t(STATUS_WORDS[code])


def _matched(t: Translate, template: str, ids: list[str]) -> str:
    return "  " + render(t, template, ids=", ".join(ids)) if ids else ""


def _worker_lines(run: RunWorker, t: Translate, *, employer: bool) -> list[str]:
    lines = [f"  {run.employer if employer else run.insz}  {_status(t, run.status)}"]
    for p in run.periods:
        lines.append(
            "    "
            + render(
                t,
                N_("Dimona {period_id}  {start} -> {end}"),
                period_id=p.period_id,
                start=p.start,
                end=p.end or t(N_("open")),
            )
            + f"  {_status(t, p.status)}"
            + _matched(t, N_("paid by {ids}"), p.wages)
        )
    for s in run.situations:
        lines.append(
            "    "
            + render(
                t,
                N_("wages  relation {relation_id} v{version}"),
                relation_id=s.relation_id,
                version=s.version,
            )
            + f"  {_status(t, s.status)}"
            + _matched(t, N_("Dimona {ids}"), s.dimona)
        )
        lines += [
            "      "
            + render(
                t,
                N_("{start} -> {end}  code {code}  wage {wage}  premium {premium}  valid {validity}"),
                start=c.start,
                end=c.end,
                code=c.worker_code,
                wage=c.wage,
                premium=c.premium,
                validity=", ".join(f"{v.start} -> {v.end}" for v in c.validity),
            )
            for c in s.calculations
        ]
    return lines


def employer_run_lines(view: EmployerRunView, t: Translate = english) -> list[str]:
    who, counts = view.employer, view.counts
    lines = [
        render(
            t,
            N_("{name} - RSZ {noss}, enterprise {company_id} ({env})"),
            name=who.name,
            noss=who.noss or "-",
            company_id=who.company_id or "-",
            env=t(N_("production")) if view.env == "R" else t(N_("test")),
        ),
        render(
            t,
            N_(
                "Wage run {first} to {last}: {workers} worker(s); {sent} wages sent, "
                "{unpaid} Dimona without wages, {unbacked} wages without Dimona"
            ),
            first=view.first_day,
            last=view.last_day,
            workers=sum(counts.values()),
            sent=counts["wages_sent"],
            unpaid=counts["dimona_without_wages"],
            unbacked=counts["wages_without_dimona"],
        ),
    ]
    if view.missing_only:
        lines.append(t(N_("Still to pay (Dimona without wages):")))
    for run in view.workers:
        lines += _worker_lines(run, t, employer=False)
    if not view.workers:
        empty = N_("(no worker still to pay)") if view.missing_only else N_("(no flexi-jobber in the range)")
        lines.append("  " + t(empty))
    return lines


def worker_run_lines(runs: list[RunWorker], year: int, t: Translate = english) -> list[str]:
    lines = [render(t, N_("Wage run {year}, per employer:"), year=year)]
    for run in runs:
        lines += _worker_lines(run, t, employer=True)
    if not runs:
        lines.append("  " + t(N_("(no Dimona period and no wage transfer this year)")))
    return lines
