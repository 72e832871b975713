"""The words of the wage run as people read it (`employer ID --from --to`, `worker INSZ --year`).

Every word of that output is here, each sentence a template passed through a gettext-style
`translate` callable before its values are filled in (so a value, an id or a date, is never
translated, and every language has the same placeholders). English by default; `--lang` hands the
catalogue's translator. The `--json` keys, the CSV columns and the status codes stay language-neutral.
"""

from __future__ import annotations

from collections.abc import Callable

from flexibatch.views import EmployerRunView
from flexibatch.wage_run_views import RunWorker

#: A source sentence (English, a template) to the chosen language's.
Translate = Callable[[str], str]

#: What each status code reads as.
STATUS_WORDS = {
    "wages_sent": "wages sent",
    "dimona_without_wages": "Dimona without wages",
    "wages_without_dimona": "wages without Dimona",
}


def english(text: str) -> str:
    return text


def _say(translate: Translate, template: str, **values: object) -> str:
    return translate(template).format_map(values)


def _status(translate: Translate, code: str) -> str:
    return translate(STATUS_WORDS[code])


def _worker_lines(run: RunWorker, translate: Translate, *, employer: bool) -> list[str]:
    who = run.employer if employer else run.insz
    lines = [f"  {who}  {_status(translate, run.status)}"]
    for p in run.periods:
        paid = _say(translate, "paid by {relations}", relations=", ".join(p.wages)) if p.wages else ""
        end = p.end or translate("open")
        lines.append(
            _say(
                translate,
                "    Dimona {period_id}  {start} -> {end}",
                period_id=p.period_id,
                start=p.start,
                end=end,
            )
            + f"  {_status(translate, p.status)}  {paid}".rstrip()
        )
    for s in run.situations:
        backed = _say(translate, "Dimona {periods}", periods=", ".join(s.dimona)) if s.dimona else ""
        lines.append(
            _say(
                translate,
                "    wages  relation {relation_id} v{version}",
                relation_id=s.relation_id,
                version=s.version,
            )
            + f"  {_status(translate, s.status)}  {backed}".rstrip()
        )
        lines += [
            _say(
                translate,
                "      {start} -> {end}  code {code}  wage {wage}  premium {premium}  valid {validity}",
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


def employer_run_lines(view: EmployerRunView, translate: Translate = english) -> list[str]:
    who = view.employer
    env = translate("production") if view.env == "R" else translate("test")
    counts = view.counts
    lines = [
        _say(
            translate,
            "{name} - RSZ {noss}, enterprise {company_id} ({env})",
            name=who.name,
            noss=who.noss or "-",
            company_id=who.company_id or "-",
            env=env,
        ),
        _say(
            translate,
            "Wage run {first} to {last}: {workers} worker(s); {sent} wages sent, "
            "{unpaid} Dimona without wages, {unbacked} wages without Dimona",
            first=view.first_day,
            last=view.last_day,
            workers=sum(counts.values()),
            sent=counts["wages_sent"],
            unpaid=counts["dimona_without_wages"],
            unbacked=counts["wages_without_dimona"],
        ),
    ]
    if view.missing_only:
        lines.append(translate("Still to pay (Dimona without wages):"))
    for run in view.workers:
        lines += _worker_lines(run, translate, employer=False)
    if not view.workers:
        lines.append(
            translate("  (no worker still to pay)")
            if view.missing_only
            else translate("  (no flexi-jobber in the range)")
        )
    return lines


def worker_run_lines(runs: list[RunWorker], year: int, translate: Translate = english) -> list[str]:
    lines = [_say(translate, "Wage run {year}, per employer:", year=year)]
    for run in runs:
        lines += _worker_lines(run, translate, employer=True)
    if not runs:
        lines.append(translate("  (no Dimona period and no wage transfer this year)"))
    return lines
