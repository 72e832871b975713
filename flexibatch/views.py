"""What `flexibatch worker` and `flexibatch employer` show: plain data, rendered by the CLI.

The worker view is the worker's own overview: flexi income per employer and in total for a year,
against the ceiling, and their Dimona periods. The employer view is the service's home page: the
workers with wage transfers, their situations, and their Dimona periods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flexibatch.domain.dimona import Period
from flexibatch.domain.flexi import Situation, ceiling_for
from flexibatch.domain.ids import company_id_compact
from flexibatch.domain.refdata import EmployerRecord, RefData
from flexibatch.errors import ConfigError
from flexibatch.store.ports import Store


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _period(period: Period, refdata: RefData) -> dict[str, Any]:
    s = period.schedule
    return {
        "period_id": period.period_id,
        "employer": _employer_name(period.employer_key, refdata),
        "insz": period.insz,
        "start": f"{s.start:%Y-%m-%d %H:%M}" if s.has_hours else s.start_date.isoformat(),
        "end": f"{s.end:%Y-%m-%d %H:%M}" if s.has_hours else (s.end_date.isoformat() if s.end_date else None),
        "status": period.status.value,
    }


def _situation(situation: Situation) -> dict[str, Any]:
    return {
        "relation_id": situation.relation_id,
        "version": situation.version,
        "status": situation.status.value,
        "calculations": [
            {
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "worker_code": c.worker_code,
                "wage": _euros(c.wage),
                "premium": _euros(c.premium),
            }
            for c in situation.calculations
        ],
    }


def _employer_name(key: str, refdata: RefData) -> str:
    record = refdata.employer_by_key(key)
    return f"{record.name} ({record.noss or record.company_id})" if record else key


def worker_view(store: Store, insz: str, year: int, env: str, ceilings: Mapping[int, int]) -> dict[str, Any]:
    refdata = store.refdata.current()
    per_employer: dict[str, int] = {}
    for situation in store.situations.of(env, insz=insz):
        amount = situation.year_amounts().get(year, 0)
        if amount:
            name = _employer_name(situation.employer_key, refdata)
            per_employer[name] = per_employer.get(name, 0) + amount
    total = store.situations.totals_of(env, insz).get(year, 0)
    pensioner = refdata.is_pensioner(insz, year)
    ceiling = None if pensioner else ceiling_for(ceilings, year)
    return {
        "insz": insz,
        "env": env,
        "year": year,
        "income_per_employer": {name: _euros(cents) for name, cents in sorted(per_employer.items())},
        "total": _euros(total),
        "ceiling": None if ceiling is None else _euros(ceiling),
        "margin": None if ceiling is None else _euros(ceiling - total),
        "pensioner": pensioner,
        "dimona_periods": [_period(p, refdata) for p in store.periods.of(env, insz=insz)],
    }


def find_employer(refdata: RefData, number: str) -> EmployerRecord:
    """An employer by its RSZ number or its enterprise number, as operators write them
    (`0400.767.772`, `BE0400767772`, `175110801`)."""
    number = re.sub(r"[^0-9]", "", number.strip().upper().removeprefix("BE"))
    record = refdata.employer_by_noss(number) if len(number) == 9 else None
    record = record or refdata.employer_by_company(company_id_compact(number))
    if record is None:
        raise ConfigError(f"no employer {number} in the repertory: give its RSZ or enterprise number")
    return record


def employer_view(store: Store, number: str, env: str) -> dict[str, Any]:
    refdata = store.refdata.current()
    record = find_employer(refdata, number)
    workers: dict[str, dict[str, Any]] = {}
    for situation in store.situations.of(env, employer_key=record.key):
        entry = workers.setdefault(
            situation.insz, {"insz": situation.insz, "situations": [], "dimona_periods": []}
        )
        entry["situations"].append(_situation(situation))
    for period in store.periods.of(env, employer_key=record.key):
        worker = period.insz or period.worker_key
        entry = workers.setdefault(worker, {"insz": worker, "situations": [], "dimona_periods": []})
        entry["dimona_periods"].append(_period(period, refdata))
    return {
        "employer": {"name": record.name, "noss": record.noss, "company_id": record.company_id},
        "env": env,
        "workers": [workers[k] for k in sorted(workers)],
    }
