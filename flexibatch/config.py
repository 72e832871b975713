"""One frozen Settings object, built at the entry point: the only module that reads the environment.

Settings come from, lowest first: their defaults, a TOML file (`--config FILE` or FLEXIBATCH_CONFIG,
keys the settings' names, read by pydantic-settings), the environment twins, the command line.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Final
from zoneinfo import ZoneInfo

import annotated_types
from pydantic import Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flexibatch.errors import ConfigError

BRUSSELS = ZoneInfo("Europe/Brussels")

#: SPEC 8: the tax-free flexi income ceiling per year, in euro cents; a later year keeps the last
#: figure until its indexed one is configured.
DEFAULT_CEILINGS = {2024: 1_200_000, 2025: 1_800_000, 2026: 1_800_000}

#: SPEC 7, 00046-008: the joint committees a flexi-job may be declared under (XXX = every other sector).
DEFAULT_JOINT_COMMITTEES = ("124", "140", "144", "145", "149", "302", "320", "322", "XXX")

#: A joint committee as Dimona writes it (Dimona.xsd JointCommissionNbrType): 302, 118.03 or XXX.
JointCommittee = Annotated[str, StringConstraints(pattern=r"^(XXX|[0-9]{3}(\.[0-9]{2})?)$")]

#: The largest size a byte setting takes: 1 TiB.
MAX_BYTES = 1 << 40


class Settings(BaseSettings):
    """Everything a run needs to know, decided once (by `load_settings`)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what it is given: `load_settings` reads the environment twins and the TOML file
        itself, so that an error names the variable or the key the operator wrote."""
        return (init_settings,)

    state: str = "flexibatch.db"
    inbox: Path = Path("inbox_dir")
    outbox: Path = Path("outbox_dir")
    work: Path | None = None
    #: SPEC 2: a pinned business clock (Belgian local time) for tests and replays.
    now: datetime | None = None
    #: SPEC 1.2: how long a foreign file must stay unchanged before it is answered.
    settle_seconds: float = Field(default=5.0, ge=0, le=3600, allow_inf_nan=False)
    #: SPEC 1.2: how long a submission may wait for its GO or its parts (ACRF-130); a minute at
    #: least, or a sender's upload in progress would be refused.
    go_timeout_seconds: float = Field(default=24 * 3600.0, ge=60, le=30 * 24 * 3600, allow_inf_nan=False)
    max_file_bytes: int = Field(default=2 * 1024**3, ge=1, le=MAX_BYTES)
    rescan_seconds: float = Field(default=2.0, ge=0.01, le=3600, allow_inf_nan=False)
    #: How long a command waits for another process's write lock on the state before it fails.
    busy_timeout_seconds: float = Field(default=60.0, ge=0, le=3600, allow_inf_nan=False)
    joint_committees: tuple[JointCommittee, ...] = Field(default=DEFAULT_JOINT_COMMITTEES, min_length=1)
    ceilings: dict[int, int] = Field(default_factory=lambda: dict(DEFAULT_CEILINGS))
    #: Declarations decided and written per batch: bounds memory on monthly files.
    batch_size: int = Field(default=5000, ge=1, le=1_000_000)
    #: An XML submission at least this large is read by a second process while this one decides
    #: (formats/read_ahead.py); a smaller one is read in place, sparing the child's start-up.
    read_ahead_bytes: int = Field(default=8 * 1024**2, ge=0, le=MAX_BYTES)
    #: A submission the processor fails to claim or finish is tried again after this many seconds
    #: on the real clock, twice as long after each failure (at most an hour), ...
    retry_seconds: float = Field(default=60.0, ge=0, le=3600, allow_inf_nan=False)
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

    def check_apart(self) -> None:
        """SPEC 10: the inbox, the outbox and the work folder apart, the state in neither the inbox
        nor the outbox. A state in the inbox would be answered as a foreign file and quarantined, an
        outbox in the inbox would answer its own answers, a work folder there would be claimed."""
        folders = {"inbox": self.inbox, "outbox": self.outbox, "work folder": self.work_dir}
        real = {name: path.resolve() for name, path in folders.items()}
        for first, second in itertools.combinations(folders, 2):
            if real[first] == real[second]:
                raise ConfigError(
                    f"the {first} {folders[first]} and the {second} {folders[second]} are the same folder"
                )
            for inner, outer in ((first, second), (second, first)):
                if real[inner].is_relative_to(real[outer]):
                    raise ConfigError(f"the {inner} {folders[inner]} is inside the {outer} {folders[outer]}")
        if "://" not in self.state:
            state = Path(self.state).resolve()
            for name in ("inbox", "outbox"):
                if state.is_relative_to(real[name]):
                    raise ConfigError(f"the state {self.state} is inside the {name} {folders[name]}")

    def business_now(self) -> datetime:
        """The business clock (SPEC 2): naive Belgian local time, pinned by FLEXIBATCH_NOW."""
        if self.now is not None:
            return self.now
        return datetime.now(BRUSSELS).replace(tzinfo=None)


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
    """FLEXIBATCH_CEILINGS: `2027=18500.00,2028=19000` (euros), added to or replacing the defaults."""
    ceilings = dict(DEFAULT_CEILINGS)
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


#: The settings read from the environment as they are written there, checked by Settings:
#: variable -> (field, the unit a number of it counts).
_NUMBERS: Final = {
    "FLEXIBATCH_SETTLE": ("settle_seconds", "seconds"),
    "FLEXIBATCH_GO_TIMEOUT": ("go_timeout_seconds", "seconds"),
    "FLEXIBATCH_RESCAN": ("rescan_seconds", "seconds"),
    "FLEXIBATCH_BUSY_TIMEOUT": ("busy_timeout_seconds", "seconds"),
    "FLEXIBATCH_MAX_FILE_BYTES": ("max_file_bytes", "bytes"),
    "FLEXIBATCH_READ_AHEAD_BYTES": ("read_ahead_bytes", "bytes"),
    "FLEXIBATCH_RETRY": ("retry_seconds", "seconds"),
    "FLEXIBATCH_FAILURE_ATTEMPTS": ("failure_attempts", "failures"),
}

#: What the other settings must be, in the words of their variable.
_EXPECTED: Final = {
    "joint_committees": (
        "FLEXIBATCH_JOINT_COMMITTEES",
        "must list joint committees such as 302, 118.03 or XXX, separated by commas",
    ),
    "state": ("FLEXIBATCH_STATE", "must be a SQLite file path or a postgresql:// URL"),
    "inbox": ("FLEXIBATCH_INBOX", "must be a folder path"),
    "outbox": ("FLEXIBATCH_OUTBOX", "must be a folder path"),
    "work": ("FLEXIBATCH_WORK", "must be a folder path"),
}


def _range(field: str) -> str | None:
    """`from 1 to 1099511627776`: a number setting's bounds, read from its Field (written there
    as whole numbers where they are whole, so they print as the operator would write them)."""
    bounds = {type(m): m for m in Settings.model_fields[field].metadata}
    low, high = bounds.get(annotated_types.Ge), bounds.get(annotated_types.Le)
    if not isinstance(low, annotated_types.Ge) or not isinstance(high, annotated_types.Le):
        return None
    return f"from {low.ge} to {high.le}"


def _must(field: str, who: str, value: object) -> str:
    """What a setting must be, in one sentence about `who` (its variable, or its key in a file):
    `... must be a whole number of bytes from 1 to 1099511627776, not '2GB'`."""
    bounds = _range(field)
    if bounds is None:
        _, expected = _EXPECTED.get(field, ("", "is wrong"))
        return f"{who} {expected}, not {value!r}"
    kind = "a whole number" if Settings.model_fields[field].annotation is int else "a number"
    unit = next((unit for name, unit in _NUMBERS.values() if name == field), "")
    return f"{who} must be {kind}{f' of {unit}' if unit else ''} {bounds}, not {value!r}"


def _sentence(error: ErrorDetails, raw: Mapping[str, object]) -> str:
    """One validation error as one sentence naming the variable the operator wrote."""
    field = str(error["loc"][0])
    twins = [variable for variable, (name, _) in _NUMBERS.items() if name == field]
    who = twins[0] if twins else _EXPECTED.get(field, (f"the setting {field}", ""))[0]
    return _must(field, who, raw.get(field, error["input"]))


def _committees(text: str) -> tuple[str, ...]:
    """`302, 118.03,XXX`: the joint committees of a comma-separated list."""
    return tuple(jc.strip() for jc in text.split(","))


#: The settings that are paths: a relative one in a TOML file is taken from the file's folder.
_PATHS: Final = ("state", "inbox", "outbox", "work")


def _toml(file: Path) -> dict[str, object]:
    """The settings of a TOML file, as written there, relative paths made the file's folder's."""
    if not file.is_file():
        raise ConfigError(f"the settings file {file} does not exist or is not a file")
    try:
        values = dict(TomlConfigSettingsSource(Settings, toml_file=file)())
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"the settings file {file} cannot be read as TOML: {exc}") from None
    for field in _PATHS:
        value = values.get(field)
        if isinstance(value, str) and not (field == "state" and "://" in value):
            values[field] = str(file.parent / Path(value).expanduser())
    if isinstance(now := values.get("now"), str):
        values["now"] = parse_now(now)
    if isinstance(ceilings := values.get("ceilings"), str):
        values["ceilings"] = parse_ceilings(ceilings)
    if isinstance(committees := values.get("joint_committees"), str):
        values["joint_committees"] = _committees(committees)
    return values


def _file_sentence(error: ErrorDetails, file: Path) -> str:
    """One validation error of a value the TOML file set, naming its key and the file."""
    field = str(error["loc"][0])
    if error["type"] == "extra_forbidden":
        known = ", ".join(Settings.model_fields)
        return f"the settings file {file} has an unknown key {field!r}: the keys are {known}"
    return _must(field, f"{field} in the settings file {file}", error["input"])


def load_settings(
    env: Mapping[str, str] | None = None, config: Path | None = None, **overrides: object
) -> Settings:
    """Build Settings from a TOML file, the environment twins of the CLI options, then explicit
    overrides (the command line), each overriding the one before.

    The file is `config` (`--config`), else FLEXIBATCH_CONFIG. A variable set to nothing (or blanks)
    counts as unset. Every value is checked against its range here, before anything moves: a
    ConfigError says which variable or key, in what unit, from what to what.
    """
    env = os.environ if env is None else env

    def given(variable: str) -> str | None:
        value = env.get(variable, "").strip()
        return value or None

    if config is None and (named := given("FLEXIBATCH_CONFIG")) is not None:
        config = Path(named)
    from_file = {} if config is None else _toml(config)
    values: dict[str, object] = {}
    raw: dict[str, object] = {}
    for variable, field in (
        ("FLEXIBATCH_STATE", "state"),
        ("FLEXIBATCH_INBOX", "inbox"),
        ("FLEXIBATCH_OUTBOX", "outbox"),
        ("FLEXIBATCH_WORK", "work"),
    ):
        if (value := given(variable)) is not None:
            values[field] = value
    if (value := given("FLEXIBATCH_NOW")) is not None:
        values["now"] = parse_now(value)
    for variable, (field, _) in _NUMBERS.items():
        if (value := given(variable)) is not None:
            values[field] = value
    if (value := given("FLEXIBATCH_JOINT_COMMITTEES")) is not None:
        values["joint_committees"] = _committees(value)
        raw["joint_committees"] = value
    if (value := given("FLEXIBATCH_CEILINGS")) is not None:
        values["ceilings"] = parse_ceilings(value)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate({**from_file, **values})
    except ValidationError as exc:
        error = exc.errors()[0]
        if config is not None and str(error["loc"][0]) in from_file.keys() - values.keys():
            raise ConfigError(_file_sentence(error, config)) from None
        raise ConfigError(_sentence(error, raw)) from None
