"""One frozen Settings object, built at the entry point: the only module that reads the environment.

Settings come from, lowest first: their defaults, a TOML file (`--config FILE` or FLEXIBATCH_CONFIG,
keys the settings' names, read by pydantic-settings), the environment twins, the command line.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Final, Literal

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
from flexibatch.i18n import Language
from flexibatch.modes import AnswerMode, FolderMode, SenderGroup
from flexibatch.setting_values import BRUSSELS, parse_ceilings, parse_now, split_committees

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
    #: How long a PostgreSQL peer (the server, a worker) may stay silent before the other end ends
    #: its session, and its locks go with it (docs/decisions.md, decision 87).
    peer_timeout_seconds: float = Field(default=30.0, ge=2, le=7200, allow_inf_nan=False)
    #: What `run` and `watch` do on this host (decision 89): `all` claims, decides and publishes;
    #: `intake` claims, hands each submission to `flexibatch decide` workers through a PostgreSQL
    #: state, and publishes what they decided.
    role: Literal["all", "intake"] = "all"
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
    #: SPEC 9: the language of the answers to a sender whose senders.csv row gives none, to an
    #: unknown sender and to a foreign file name.
    default_language: Language = "en"
    #: SPEC 10: the language of `status`, `worker`, `employer` and `report` (`--lang`); when unset,
    #: default_language.
    lang: Language | None = None
    #: SPEC 5: the separator of the NOTI's CSV twin for an XML submission (a CSV one is answered
    #: in its own separator).
    answer_csv_separator: Literal[",", ";"] = ","
    #: SPEC 1, SFTP: the group given to the outbox's sender folders and the answers in them, so the
    #: sender's own account can fetch them; None keeps everything owner-only.
    sender_group: SenderGroup | None = None
    #: The mode of an outbox sender folder (kept so at each publication) and of its answers.
    sender_folder_mode: FolderMode = 0o700
    answer_mode: AnswerMode = 0o600

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


#: What systemd tells a `Type=notify` service (sd_notify(3)): read here with the settings, so that
#: this module stays the only reader of the environment.
SYSTEMD_VARIABLES: Final = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


def systemd_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if env is None else env
    return {name: env[name] for name in SYSTEMD_VARIABLES if name in env}


#: The settings read from the environment as they are written there, checked by Settings:
#: variable -> (field, the unit a number of it counts).
_NUMBERS: Final = {
    "FLEXIBATCH_SETTLE": ("settle_seconds", "seconds"),
    "FLEXIBATCH_GO_TIMEOUT": ("go_timeout_seconds", "seconds"),
    "FLEXIBATCH_RESCAN": ("rescan_seconds", "seconds"),
    "FLEXIBATCH_BUSY_TIMEOUT": ("busy_timeout_seconds", "seconds"),
    "FLEXIBATCH_PEER_TIMEOUT": ("peer_timeout_seconds", "seconds"),
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
    "default_language": ("FLEXIBATCH_DEFAULT_LANGUAGE", "must be nl, fr, de or en"),
    "lang": ("FLEXIBATCH_LANG", "must be nl, fr, de or en"),
    "answer_csv_separator": ("FLEXIBATCH_ANSWER_CSV_SEPARATOR", "must be , or ;"),
    "role": ("FLEXIBATCH_ROLE", "must be all (claim, decide and publish here) or intake"),
    "sender_group": (
        "FLEXIBATCH_SENDER_GROUP",
        "must be a group name such as sftp{sender}, {sender} standing for the sender number",
    ),
    "sender_folder_mode": (
        "FLEXIBATCH_SENDER_FOLDER_MODE",
        "must be an octal mode such as 2750: rwx for the owner, nothing for others (setgid and sticky may be set)",
    ),
    "answer_mode": (
        "FLEXIBATCH_ANSWER_MODE",
        "must be the octal mode 600 (owner-only) or 640 (the sender group may read)",
    ),
}

#: The settings whose environment twin is taken as written, checked by Settings.
_TEXTS: Final = {
    "FLEXIBATCH_ROLE": "role",
    "FLEXIBATCH_SENDER_GROUP": "sender_group",
    "FLEXIBATCH_SENDER_FOLDER_MODE": "sender_folder_mode",
    "FLEXIBATCH_ANSWER_MODE": "answer_mode",
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
        values["ceilings"] = {**DEFAULT_CEILINGS, **parse_ceilings(ceilings)}
    if isinstance(committees := values.get("joint_committees"), str):
        values["joint_committees"] = split_committees(committees)
    return values


def _file_sentence(error: ErrorDetails, file: Path) -> str:
    """One validation error of a value the TOML file set, naming its key and the file."""
    field = str(error["loc"][0])
    if error["type"] == "extra_forbidden":
        known = ", ".join(Settings.model_fields)
        return f"the settings file {file} has an unknown key {field!r}: the keys are {known}"
    return _must(field, f"{field} in the settings file {file}", error["input"])


@dataclass(frozen=True, slots=True)
class _Layers:
    """What each source gives, lowest first: the TOML file, the environment, the command line."""

    config: Path | None
    from_file: dict[str, object]
    from_env: dict[str, object]
    from_cli: dict[str, object]
    raw: dict[str, object]


#: The environment twins of the settings that have one besides the numbers: variable -> field.
_TWINS: Final = {
    "FLEXIBATCH_STATE": "state",
    "FLEXIBATCH_INBOX": "inbox",
    "FLEXIBATCH_OUTBOX": "outbox",
    "FLEXIBATCH_WORK": "work",
    "FLEXIBATCH_DEFAULT_LANGUAGE": "default_language",
    "FLEXIBATCH_LANG": "lang",
    "FLEXIBATCH_ANSWER_CSV_SEPARATOR": "answer_csv_separator",
    **_TEXTS,
    "FLEXIBATCH_NOW": "now",
    "FLEXIBATCH_JOINT_COMMITTEES": "joint_committees",
    "FLEXIBATCH_CEILINGS": "ceilings",
}


def _layers(env: Mapping[str, str], config: Path | None, overrides: Mapping[str, object]) -> _Layers:
    def given(variable: str) -> str | None:
        value = env.get(variable, "").strip()
        return value or None

    if config is None and (named := given("FLEXIBATCH_CONFIG")) is not None:
        config = Path(named)
    from_file = {} if config is None else _toml(config)
    values: dict[str, object] = {}
    raw: dict[str, object] = {}
    for variable in (
        "FLEXIBATCH_STATE",
        "FLEXIBATCH_INBOX",
        "FLEXIBATCH_OUTBOX",
        "FLEXIBATCH_WORK",
        "FLEXIBATCH_DEFAULT_LANGUAGE",
        "FLEXIBATCH_LANG",
        "FLEXIBATCH_ANSWER_CSV_SEPARATOR",
        *_TEXTS,
    ):
        if (value := given(variable)) is not None:
            values[_TWINS[variable]] = value
    if (value := given("FLEXIBATCH_NOW")) is not None:
        values["now"] = parse_now(value)
    for variable, (field, _) in _NUMBERS.items():
        if (value := given(variable)) is not None:
            values[field] = value
    if (value := given("FLEXIBATCH_JOINT_COMMITTEES")) is not None:
        values["joint_committees"] = split_committees(value)
        raw["joint_committees"] = value
    if (value := given("FLEXIBATCH_CEILINGS")) is not None:
        values["ceilings"] = {**DEFAULT_CEILINGS, **parse_ceilings(value)}
    cli = {k: v for k, v in overrides.items() if v is not None}
    return _Layers(config, from_file, values, cli, raw)


def load_settings(
    env: Mapping[str, str] | None = None, config: Path | None = None, **overrides: object
) -> Settings:
    """Build Settings from a TOML file, the environment twins of the CLI options, then explicit
    overrides (the command line), each overriding the one before.

    The file is `config` (`--config`), else FLEXIBATCH_CONFIG. A variable set to nothing (or blanks)
    counts as unset. Every value is checked against its range here, before anything moves: a
    ConfigError says which variable or key, in what unit, from what to what.
    """
    layers = _layers(os.environ if env is None else env, config, overrides)
    values = {**layers.from_env, **layers.from_cli}
    try:
        return Settings.model_validate({**layers.from_file, **values})
    except ValidationError as exc:
        error = exc.errors()[0]
        if layers.config is not None and str(error["loc"][0]) in layers.from_file.keys() - values.keys():
            raise ConfigError(_file_sentence(error, layers.config)) from None
        raise ConfigError(_sentence(error, layers.raw)) from None


def origins(
    env: Mapping[str, str] | None = None, config: Path | None = None, **overrides: object
) -> dict[str, str]:
    """Where each setting's effective value came from (`flexibatch config`): `default`, `file
    PATH`, `environment VARIABLE` or `option --NAME`, the same layers `load_settings` reads."""
    layers = _layers(os.environ if env is None else env, config, overrides)
    variables = {field: variable for variable, field in _TWINS.items()}
    variables.update({field: variable for variable, (field, _) in _NUMBERS.items()})
    found = {}
    for field in Settings.model_fields:
        if field in layers.from_cli:
            found[field] = f"option --{field}"
        elif field in layers.from_env:
            found[field] = f"environment {variables[field]}"
        elif field in layers.from_file:
            found[field] = f"file {layers.config}"
        else:
            found[field] = "default"
    return found
