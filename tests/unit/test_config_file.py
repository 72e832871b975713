"""SPEC 10: a TOML settings file (`--config FILE`, FLEXIBATCH_CONFIG), keys the settings' names,
relative paths from the file's folder, overridden by the environment and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexibatch.config import load_settings
from flexibatch.errors import ConfigError


def settings_file(folder: Path, text: str, name: str = "flexibatch.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_settings_by_their_names(tmp_path: Path) -> None:
    file = settings_file(
        tmp_path, 'settle_seconds = 7\nbatch_size = 100\njoint_committees = ["302", "XXX"]\n'
    )

    settings = load_settings({}, config=file)

    assert (settings.settle_seconds, settings.batch_size) == (7.0, 100)
    assert settings.joint_committees == ("302", "XXX")


def test_relative_paths_are_taken_from_the_files_folder(tmp_path: Path) -> None:
    file = settings_file(tmp_path / "etc", 'state = "db/state.db"\ninbox = "../in"\noutbox = "/srv/out"\n')

    settings = load_settings({}, config=file)

    assert settings.state == str(tmp_path / "etc" / "db" / "state.db")
    assert settings.inbox == tmp_path / "etc" / ".." / "in"
    assert settings.outbox == Path("/srv/out")


def test_the_environment_overrides_the_file_and_the_command_line_both(tmp_path: Path) -> None:
    file = settings_file(tmp_path, 'state = "file.db"\nsettle_seconds = 7\nretry_seconds = 9\n')
    env = {"FLEXIBATCH_STATE": "env.db", "FLEXIBATCH_SETTLE": "8"}

    settings = load_settings(env, config=file, state="cli.db")

    assert (settings.state, settings.settle_seconds, settings.retry_seconds) == ("cli.db", 8.0, 9.0)


def test_config_overrides_flexibatch_config(tmp_path: Path) -> None:
    named = settings_file(tmp_path, "settle_seconds = 1\n", "named.toml")
    given = settings_file(tmp_path, "settle_seconds = 2\n", "given.toml")

    assert load_settings({"FLEXIBATCH_CONFIG": str(named)}).settle_seconds == 1.0
    assert load_settings({"FLEXIBATCH_CONFIG": str(named)}, config=given).settle_seconds == 2.0


def test_an_unknown_key_is_refused_naming_it_and_the_file(tmp_path: Path) -> None:
    file = settings_file(tmp_path, "settle = 5\n")

    with pytest.raises(ConfigError) as refused:
        load_settings({}, config=file)

    assert str(refused.value).startswith(
        f"the settings file {file} has an unknown key 'settle': the keys are"
    )
    assert "settle_seconds" in str(refused.value)


def test_a_value_out_of_range_is_named_with_its_key_unit_and_range(tmp_path: Path) -> None:
    file = settings_file(tmp_path, "go_timeout_seconds = 5\n")

    with pytest.raises(ConfigError) as refused:
        load_settings({}, config=file)

    assert str(refused.value) == (
        f"go_timeout_seconds in the settings file {file} must be a number of seconds from 60 to 2592000, not 5"
    )


def test_an_environment_twin_out_of_range_is_still_named_as_its_variable(tmp_path: Path) -> None:
    file = settings_file(tmp_path, "go_timeout_seconds = 120\n")

    with pytest.raises(ConfigError, match="FLEXIBATCH_GO_TIMEOUT must be a number of seconds"):
        load_settings({"FLEXIBATCH_GO_TIMEOUT": "5"}, config=file)


@pytest.mark.parametrize("text", ["settle_seconds = \n", "[broken"], ids=["no-value", "unclosed-table"])
def test_a_file_that_is_not_toml_is_refused(tmp_path: Path, text: str) -> None:
    file = settings_file(tmp_path, text)

    with pytest.raises(ConfigError, match=f"the settings file {file} cannot be read as TOML"):
        load_settings({}, config=file)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, config=tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("written", "mode"), [('"2750"', 0o2750), ("0o2750", 0o2750), ('"0o3770"', 0o3770), ('"700"', 0o700)]
)
def test_a_sender_folder_mode_is_octal_as_a_string_or_a_toml_octal_number(
    tmp_path: Path, written: str, mode: int
) -> None:
    file = settings_file(tmp_path, f'sender_group = "sftp{{sender}}"\nsender_folder_mode = {written}\n')
    settings = load_settings({}, config=file)
    assert (settings.sender_group, settings.sender_folder_mode) == ("sftp{sender}", mode)


def test_a_decimal_mode_in_the_file_is_refused_naming_its_key(tmp_path: Path) -> None:
    file = settings_file(tmp_path, "answer_mode = 640\n")  # 640 decimal is 0o1200: not a mode meant
    with pytest.raises(ConfigError, match=r"answer_mode in the settings file .* must be the octal mode 600"):
        load_settings({}, config=file)
