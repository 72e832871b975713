"""One frozen Settings object, built at the entry point: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from flexibatch.errors import ConfigError

BRUSSELS = ZoneInfo("Europe/Brussels")

#: SPEC 8: the tax-free flexi income ceiling per year, in euro cents; a later year keeps the last
#: figure until its indexed one is configured.
DEFAULT_CEILINGS = {2024: 1_200_000, 2025: 1_800_000, 2026: 1_800_000}

#: SPEC 7, 00046-008: the joint committees a flexi-job may be declared under (XXX = every other sector).
DEFAULT_JOINT_COMMITTEES = ("124", "140", "144", "145", "149", "302", "320", "322", "XXX")


class Settings(BaseModel):
    """Everything a run needs to know, decided once."""

    model_config = ConfigDict(frozen=True)

    state: str = "flexibatch.db"
    inbox: Path = Path("inbox_dir")
    outbox: Path = Path("outbox_dir")
    work: Path | None = None
    #: SPEC 2: a pinned business clock (Belgian local time) for tests and replays.
    now: datetime | None = None
    settle_seconds: float = 5.0
    go_timeout_seconds: float = 24 * 3600.0
    max_file_bytes: int = 2 * 1024**3
    rescan_seconds: float = 2.0
    joint_committees: tuple[str, ...] = DEFAULT_JOINT_COMMITTEES
    ceilings: dict[int, int] = Field(default_factory=lambda: dict(DEFAULT_CEILINGS))
    #: Declarations decided and written per batch: bounds memory on monthly files.
    batch_size: int = Field(default=5000, ge=1)
    #: An XML submission at least this large is read by a second process while this one decides
    #: (formats/read_ahead.py); a smaller one is read in place, sparing the child's start-up.
    read_ahead_bytes: int = Field(default=8 * 1024**2, ge=0)
    #: A submission the processor fails to claim or finish is tried again after this many seconds
    #: on the real clock, twice as long after each failure (at most an hour), ...
    retry_seconds: float = Field(default=60.0, ge=0)
    #: ... and given up (quarantined, with its reason) at this many failures.
    failure_attempts: int = Field(default=5, ge=1, le=100)

    @property
    def work_dir(self) -> Path:
        """Claims, archive and quarantine: beside the state store, never in the inbox or outbox."""
        if self.work is not None:
            return self.work
        if "://" in self.state:
            return Path("flexibatch.work")
        return Path(self.state).with_suffix(".work")

    def business_now(self) -> datetime:
        """The business clock (SPEC 2): naive Belgian local time, pinned by FLEXIBATCH_NOW."""
        if self.now is not None:
            return self.now
        return datetime.now(BRUSSELS).replace(tzinfo=None)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None


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


def parse_ceilings(raw: str) -> dict[int, int]:
    """FLEXIBATCH_CEILINGS: `2027=18500.00,2028=19000` (euros), added to or replacing the defaults."""
    ceilings = dict(DEFAULT_CEILINGS)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        year, _, amount = item.partition("=")
        try:
            ceilings[int(year)] = round(float(amount) * 100)
        except ValueError:
            raise ConfigError(f"FLEXIBATCH_CEILINGS items look like 2027=18500.00, not {item!r}") from None
    return ceilings


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build Settings from the environment twins of the CLI options, then explicit overrides."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    if env.get("FLEXIBATCH_STATE"):
        values["state"] = env["FLEXIBATCH_STATE"]
    if env.get("FLEXIBATCH_INBOX"):
        values["inbox"] = Path(env["FLEXIBATCH_INBOX"])
    if env.get("FLEXIBATCH_OUTBOX"):
        values["outbox"] = Path(env["FLEXIBATCH_OUTBOX"])
    if env.get("FLEXIBATCH_WORK"):
        values["work"] = Path(env["FLEXIBATCH_WORK"])
    if env.get("FLEXIBATCH_NOW"):
        values["now"] = parse_now(env["FLEXIBATCH_NOW"])
    values["settle_seconds"] = _float(env, "FLEXIBATCH_SETTLE", 5.0)
    values["go_timeout_seconds"] = _float(env, "FLEXIBATCH_GO_TIMEOUT", 24 * 3600.0)
    values["rescan_seconds"] = _float(env, "FLEXIBATCH_RESCAN", 2.0)
    if env.get("FLEXIBATCH_MAX_FILE_BYTES"):
        values["max_file_bytes"] = int(_float(env, "FLEXIBATCH_MAX_FILE_BYTES", 0))
    if env.get("FLEXIBATCH_READ_AHEAD_BYTES"):
        values["read_ahead_bytes"] = int(_float(env, "FLEXIBATCH_READ_AHEAD_BYTES", 0))
    values["retry_seconds"] = _float(env, "FLEXIBATCH_RETRY", 60.0)
    if env.get("FLEXIBATCH_FAILURE_ATTEMPTS"):
        values["failure_attempts"] = env["FLEXIBATCH_FAILURE_ATTEMPTS"]  # pydantic checks the range
    if env.get("FLEXIBATCH_JOINT_COMMITTEES"):
        values["joint_committees"] = tuple(
            jc.strip() for jc in env["FLEXIBATCH_JOINT_COMMITTEES"].split(",") if jc.strip()
        )
    if env.get("FLEXIBATCH_CEILINGS"):
        values["ceilings"] = parse_ceilings(env["FLEXIBATCH_CEILINGS"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
