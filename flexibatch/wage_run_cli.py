"""The command line of the employer's wage run: `employer ID --from DATE --to DATE [--missing]
[--json | --csv]`, its options, their checks and its three outputs. `cli.py` calls it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date

from flexibatch.errors import ConfigError
from flexibatch.formats.wage_run_csv import wage_run_csv
from flexibatch.i18n import Translate, english
from flexibatch.identifiers import day
from flexibatch.views import EmployerRunView
from flexibatch.wage_run_text import employer_run_lines


def wage_run_options(employer: argparse.ArgumentParser) -> None:
    """`employer ID --from DATE --to DATE`: the wage run of those days instead of every worker ever."""
    employer.add_argument(
        "--from",
        dest="first_day",
        type=day,
        metavar="DATE",
        help="with --to: the wage run from this day (YYYY-MM-DD): the flexi-jobbers with an active "
        "Dimona period or wage transfer in the range, and their status",
    )
    employer.add_argument(
        "--to", dest="last_day", type=day, metavar="DATE", help="the range's last day, included"
    )
    employer.add_argument(
        "--missing",
        action="store_true",
        help="with --from and --to: only the workers still to pay (Dimona without wages)",
    )
    output = employer.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument(
        "--csv",
        action="store_true",
        help="with --from and --to: CSV for payroll and Excel (';', UTF-8 with a BOM, amounts in cents)",
    )


def wage_run_range(args: argparse.Namespace) -> tuple[date, date] | None:
    """The range `employer` was asked for, if any: both ends or neither, in order."""
    first, last = args.first_day, args.last_day
    if first is None and last is None:
        if args.missing or args.csv:
            raise ConfigError(f"--{'missing' if args.missing else 'csv'} needs a range: give --from and --to")
        return None
    if first is None or last is None:
        raise ConfigError("--from and --to go together: give both ends of the range")
    if last < first:
        raise ConfigError(f"the range ends ({last}) before it starts ({first})")
    return first, last


def print_wage_run(view: EmployerRunView, args: argparse.Namespace, translate: Translate = english) -> None:
    """The wage run on standard output: CSV bytes, JSON, or lines in the language of `translate`."""
    if args.csv:
        sys.stdout.flush()
        sys.stdout.buffer.write(wage_run_csv(view))
        sys.stdout.buffer.flush()
    elif args.json:
        print(json.dumps(dataclasses.asdict(view), indent=2))
    else:
        print("\n".join(employer_run_lines(view, translate)))
