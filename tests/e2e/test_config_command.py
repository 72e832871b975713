"""`flexibatch config`: the effective settings, and where each came from."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from support.cli import flexibatch


def test_config_says_where_each_setting_came_from_and_reads_back_as_a_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "etc" / "flexibatch.toml"
    settings.parent.mkdir()
    settings.write_text('inbox = "in"\ngo_timeout_seconds = 3600\nrescan_seconds = 9\n', encoding="utf-8")

    result = flexibatch(
        tmp_path,
        "config",
        "--config",
        str(settings),
        "--outbox",
        "out",
        FLEXIBATCH_RESCAN="3",
        FLEXIBATCH_INBOX="",
    )
    shown = json.loads(
        flexibatch(tmp_path, "config", "--config", str(settings), "--json", FLEXIBATCH_INBOX="").stdout
    )

    assert result.returncode == 0, result.stderr
    lines = {line.split(" = ")[0]: line for line in result.stdout.splitlines() if " = " in line}
    assert lines["inbox"].endswith(f"# file {settings}") and str(settings.parent / "in") in lines["inbox"]
    assert lines["go_timeout_seconds"] == f"go_timeout_seconds = 3600.0  # file {settings}"
    assert lines["rescan_seconds"] == "rescan_seconds = 3.0  # environment FLEXIBATCH_RESCAN", "env over file"
    assert lines["outbox"] == 'outbox = "out"  # option --outbox'
    assert lines["settle_seconds"] == "settle_seconds = 5.0  # default"
    assert lines["state"].endswith("# environment FLEXIBATCH_STATE")  # the test installation sets it
    assert shown["go_timeout_seconds"] == {"value": 3600.0, "from": f"file {settings}"}
    assert shown["now"]["from"] == "environment FLEXIBATCH_NOW"
    again = tomllib.loads(result.stdout)  # what it prints is a settings file
    assert again["go_timeout_seconds"] == 3600.0 and again["rescan_seconds"] == 3.0


def test_config_refuses_a_setting_out_of_range_as_every_command_does(tmp_path: Path) -> None:
    result = flexibatch(tmp_path, "config", FLEXIBATCH_GO_TIMEOUT="-1")
    assert result.returncode == 2
    assert "FLEXIBATCH_GO_TIMEOUT" in result.stderr and "Traceback" not in result.stderr
