"""The written forms of the settings' values that are not plain numbers or paths: the business
clock's date-time, the yearly ceilings in euros, the joint committees (config.py builds Settings
with them)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flexibatch.errors import ConfigError

BRUSSELS = ZoneInfo("Europe/Brussels")


def parse_now(raw: str) -> datetime:
    """FLEXIBATCH_NOW: an ISO 8601 local date-time such as 2026-06-24T11:50:00."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"FLEXIBATCH_NOW must be an ISO 8601 local date-time such as 2026-06-24T11:50:00, not {raw!r}"
        ) from None
    if value.tzinfo is not None:
        value = value.astimezone(BRUSSELS).replace(tzinfo=None)
    return value


def _cents(euros: str) -> int | None:
    """An amount of euros from 0 to a million with at most two decimals, in cents; None otherwise."""
    try:
        cents = Decimal(euros) * 100
    except InvalidOperation:
        return None
    if not cents.is_finite() or not 0 <= cents <= 100_000_000 or cents != cents.to_integral_value():
        return None
    return int(cents)


def parse_ceilings(raw: str) -> dict[int, int]:
    """FLEXIBATCH_CEILINGS: `2027=18500.00,2028=19000` (euros), each year's ceiling in cents, which
    add to or replace the defaults."""
    ceilings: dict[int, int] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        year, _, amount = (text.strip() for text in item.partition("="))
        cents = _cents(amount)
        if not re.fullmatch("[0-9]{4}", year) or cents is None:
            raise ConfigError(
                "FLEXIBATCH_CEILINGS items must be a year and an amount of euros from 0 to 1000000.00 "
                f"with at most two decimals, such as 2027=18500.00, not {item!r}"
            )
        ceilings[int(year)] = cents
    return ceilings


def split_committees(text: str) -> tuple[str, ...]:
    """`302, 118.03,XXX`: the joint committees of a comma-separated list."""
    return tuple(jc.strip() for jc in text.split(","))
