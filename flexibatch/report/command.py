"""`flexibatch report --out DIR [--since DATE] [--until DATE]` (SPEC 10): its options and handler.

A command that only reads: the state is opened read-only (never created, migrated or waited for).
The period is by reception date, both bounds included, the last 31 days up to the business
clock's today by default.
"""

from __future__ import annotations

import argparse
import os
from datetime import date, timedelta
from pathlib import Path

from flexibatch.config import Settings
from flexibatch.errors import ConfigError
from flexibatch.i18n import printing_language, translator
from flexibatch.identifiers import day
from flexibatch.report.words import words
from flexibatch.store import opened

#: The default period: this many days, today included (SPEC 10: the last 31 days).
DEFAULT_DAYS = 31


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where index.html and the pages go"
    )
    parser.add_argument(
        "--since", type=day, metavar="DATE", help="first reception date, YYYY-MM-DD (included)"
    )
    parser.add_argument(
        "--until", type=day, metavar="DATE", help="last reception date, YYYY-MM-DD (included; default today)"
    )


def period(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The period asked for: `until` today unless given, `since` 31 days up to `until` unless given."""
    last = until or today
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ConfigError(f"--since {first} is after --until {last}: the period would hold no day")
    return first, last


def _check_out(out: Path) -> None:
    """The report folder and its `submissions/`, made when missing, and writable (SPEC 10: a folder
    that cannot serve is a configuration error, found before anything is written)."""
    for folder in (out, out / "submissions"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise ConfigError(f"the report folder {folder} is a file, not a folder") from None
        except OSError as exc:
            raise ConfigError(f"the report folder {folder} cannot be created: {exc.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise ConfigError(f"the report folder {folder} cannot be written")


def handle(args: argparse.Namespace, settings: Settings) -> int:
    now = settings.business_now()
    since, until = period(args.since, args.until, now.date())
    lang = printing_language(settings.lang, settings.default_language)
    with opened(settings.state, "read", settings.busy_timeout_seconds) as store:
        _check_out(args.out)
        # pandas, numpy with it: a quarter of a second and 50 MB that every other command would pay
        from flexibatch.report.pages import write_report  # noqa: PLC0415

        shown = write_report(
            store,
            out=args.out,
            since=since,
            until=until,
            ceilings=settings.ceilings,
            w=words(translator(lang)),
            lang=lang,
            made=now,
        )
    print(f"report of {since} to {until} written to {args.out / 'index.html'}: {shown} submission(s)")
    return 0
