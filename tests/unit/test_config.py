"""Settings: environment twins of the CLI options, and the pinned business clock."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from flexibatch.config import load_settings
from flexibatch.errors import ConfigError


def test_environment_twins_and_overrides() -> None:
    env = {
        "FLEXIBATCH_STATE": "/srv/x.db",
        "FLEXIBATCH_INBOX": "/in",
        "FLEXIBATCH_NOW": "2026-06-24T11:50:00",
    }
    settings = load_settings(env, outbox=Path("/out"))
    assert settings.state == "/srv/x.db" and settings.inbox == Path("/in") and settings.outbox == Path("/out")
    assert settings.business_now() == datetime(2026, 6, 24, 11, 50)
    assert settings.work_dir == Path("/srv/x.work")


def test_an_explicit_option_wins_over_its_environment_twin() -> None:
    assert load_settings({"FLEXIBATCH_STATE": "env.db"}, state="cli.db").state == "cli.db"


def test_a_timezone_in_flexibatch_now_is_turned_into_brussels_time() -> None:
    settings = load_settings({"FLEXIBATCH_NOW": "2026-06-24T09:50:00+00:00"})
    assert settings.business_now() == datetime(2026, 6, 24, 11, 50)


@pytest.mark.parametrize(
    "env", [{"FLEXIBATCH_NOW": "tomorrow"}, {"FLEXIBATCH_SETTLE": "soon"}, {"FLEXIBATCH_GO_TIMEOUT": "x"}]
)
def test_bad_settings_are_configuration_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(env)


# ranges and units (SPEC 10: a setting out of range is a configuration error) ---------------------


@pytest.mark.parametrize(
    ("variable", "raw", "says"),
    [
        (
            "FLEXIBATCH_GO_TIMEOUT",
            "-1",
            "FLEXIBATCH_GO_TIMEOUT must be a number of seconds from 60 to 2592000",
        ),
        (
            "FLEXIBATCH_GO_TIMEOUT",
            "0",
            "FLEXIBATCH_GO_TIMEOUT must be a number of seconds from 60 to 2592000",
        ),
        ("FLEXIBATCH_SETTLE", "nan", "FLEXIBATCH_SETTLE must be a number of seconds from 0 to 3600"),
        ("FLEXIBATCH_SETTLE", "inf", "FLEXIBATCH_SETTLE must be a number of seconds from 0 to 3600"),
        ("FLEXIBATCH_SETTLE", "-0.5", "FLEXIBATCH_SETTLE must be a number of seconds from 0 to 3600"),
        ("FLEXIBATCH_RESCAN", "-1", "FLEXIBATCH_RESCAN must be a number of seconds from 0.01 to 3600"),
        ("FLEXIBATCH_RESCAN", "0", "FLEXIBATCH_RESCAN must be a number of seconds from 0.01 to 3600"),
        (
            "FLEXIBATCH_BUSY_TIMEOUT",
            "-3",
            "FLEXIBATCH_BUSY_TIMEOUT must be a number of seconds from 0 to 3600",
        ),
        (
            "FLEXIBATCH_MAX_FILE_BYTES",
            "2GB",
            "FLEXIBATCH_MAX_FILE_BYTES must be a whole number of bytes from 1 to 1099511627776",
        ),
        (
            "FLEXIBATCH_MAX_FILE_BYTES",
            "-5",
            "FLEXIBATCH_MAX_FILE_BYTES must be a whole number of bytes from 1 to 1099511627776",
        ),
        (
            "FLEXIBATCH_MAX_FILE_BYTES",
            "1.5",
            "FLEXIBATCH_MAX_FILE_BYTES must be a whole number of bytes from 1 to 1099511627776",
        ),
        (
            "FLEXIBATCH_READ_AHEAD_BYTES",
            "-1",
            "FLEXIBATCH_READ_AHEAD_BYTES must be a whole number of bytes from 0 to 1099511627776",
        ),
    ],
)
def test_a_setting_out_of_range_names_its_variable_unit_and_range(variable: str, raw: str, says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({variable: raw})

    assert str(refused.value) == f"{says}, not {raw!r}"


@pytest.mark.parametrize(
    ("variable", "raw", "field", "value"),
    [
        ("FLEXIBATCH_SETTLE", "0", "settle_seconds", 0.0),
        ("FLEXIBATCH_SETTLE", "3600", "settle_seconds", 3600.0),
        ("FLEXIBATCH_GO_TIMEOUT", "60", "go_timeout_seconds", 60.0),
        ("FLEXIBATCH_RESCAN", "0.05", "rescan_seconds", 0.05),
        ("FLEXIBATCH_BUSY_TIMEOUT", "0", "busy_timeout_seconds", 0.0),
        ("FLEXIBATCH_BUSY_TIMEOUT", "2.5", "busy_timeout_seconds", 2.5),
        ("FLEXIBATCH_MAX_FILE_BYTES", "1", "max_file_bytes", 1),
        ("FLEXIBATCH_MAX_FILE_BYTES", "1099511627776", "max_file_bytes", 1 << 40),
        ("FLEXIBATCH_READ_AHEAD_BYTES", "0", "read_ahead_bytes", 0),
    ],
)
def test_the_bounds_of_a_range_are_accepted(variable: str, raw: str, field: str, value: float) -> None:
    assert getattr(load_settings({variable: raw}), field) == value


def test_the_busy_timeout_is_a_minute_unless_set() -> None:
    assert load_settings({}).busy_timeout_seconds == 60.0


def test_an_override_out_of_range_is_refused_like_its_environment_twin() -> None:
    with pytest.raises(ConfigError, match="FLEXIBATCH_MAX_FILE_BYTES must be a whole number of bytes"):
        load_settings({}, max_file_bytes=0)


@pytest.mark.parametrize("raw", ["", "  ", ",", "302,30", "302;124", "abc"])
def test_joint_committees_must_name_at_least_one_committee_as_dimona_writes_them(raw: str) -> None:
    if not raw.strip():
        assert load_settings({"FLEXIBATCH_JOINT_COMMITTEES": raw}).joint_committees  # unset: the defaults
        return
    with pytest.raises(ConfigError, match="FLEXIBATCH_JOINT_COMMITTEES must list"):
        load_settings({"FLEXIBATCH_JOINT_COMMITTEES": raw})


def test_joint_committees_take_sub_committees_and_xxx() -> None:
    env = {"FLEXIBATCH_JOINT_COMMITTEES": " 302, 118.03 ,XXX"}
    assert load_settings(env).joint_committees == ("302", "118.03", "XXX")


@pytest.mark.parametrize("item", ["2027=-5", "2027=inf", "2027=nan", "2027=18500.001", "27=18500", "x=1"])
def test_a_ceiling_must_be_a_year_and_an_amount_of_euros(item: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"FLEXIBATCH_CEILINGS": item})

    assert "FLEXIBATCH_CEILINGS" in str(refused.value) and repr(item) in str(refused.value)


def test_a_ceiling_in_euros_is_kept_in_cents() -> None:
    assert load_settings({"FLEXIBATCH_CEILINGS": "2027=18500.5"}).ceilings[2027] == 1_850_050


def test_a_setting_without_an_environment_twin_is_refused_with_its_range() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({}, batch_size=0)

    assert str(refused.value) == "the setting batch_size must be a whole number from 1 to 1000000, not 0"


def test_the_sftp_settings_keep_everything_owner_only_unless_set() -> None:
    settings = load_settings({})
    assert (settings.sender_group, settings.sender_folder_mode, settings.answer_mode) == (None, 0o700, 0o600)


@pytest.mark.parametrize("raw", ["2750", "0o2750", "02750"])
def test_a_sender_folder_mode_is_written_as_for_chmod(raw: str) -> None:
    assert load_settings({"FLEXIBATCH_SENDER_FOLDER_MODE": raw}).sender_folder_mode == 0o2750


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "2751"),  # others may traverse
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "0500"),  # the processor could not write its answers
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "4770"),  # setuid means nothing here
        ("FLEXIBATCH_SENDER_FOLDER_MODE", "27500"),
        ("FLEXIBATCH_ANSWER_MODE", "660"),  # an answer is never edited in place
        ("FLEXIBATCH_ANSWER_MODE", "rw-r-----"),
        ("FLEXIBATCH_SENDER_GROUP", "{sender}"),
        ("FLEXIBATCH_SENDER_GROUP", "sftp{sender}{sender}"),
    ],
)
def test_an_sftp_setting_out_of_range_names_its_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable} must be .*, not '{re.escape(raw)}'$"):
        load_settings({variable: raw})
