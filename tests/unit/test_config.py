"""Settings: environment twins of the CLI options, and the pinned business clock."""

from __future__ import annotations

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
