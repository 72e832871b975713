"""SPEC 10: `--lang` (FLEXIBATCH_LANG) changes the words `status` and `worker` print, never the data
or the --json keys; SPEC 9: a sample sender with a language is answered in it, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.channel import SAMPLES
from support.cli import flexibatch


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lang")
    shutil.copytree(SAMPLES / "inbox", root / "inbox")
    (root / "outbox").mkdir()
    assert flexibatch(root, "refdata", "load", str(SAMPLES / "refdata")).returncode == 0
    assert flexibatch(root, "run").returncode == 0
    return root


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("nl", "ontvangen"), ("fr", "reçu"), ("de", "empfangen"), ("en", "received")],
)
def test_status_prints_its_words_in_the_chosen_language(installation: Path, lang: str, heading: str) -> None:
    english = flexibatch(installation, "status").stdout.splitlines()
    printed = flexibatch(installation, "status", "--lang", lang).stdout.splitlines()
    assert printed[0].split()[0] == heading
    assert [line.split()[:6] for line in printed[1:]] == [line.split()[:6] for line in english[1:]], (
        "same data"
    )


def test_the_environment_twin_chooses_the_language_and_json_keys_stay(installation: Path) -> None:
    german = flexibatch(installation, "worker", "85031212362", "--year", "2026", FLEXIBATCH_LANG="de")
    assert german.returncode == 0, german.stderr
    assert "Flexi-Einkommen" in german.stdout and "steuerfreie Obergrenze" in german.stdout
    as_json = [
        json.loads(flexibatch(installation, "worker", "85031212362", "--json", "--lang", lang).stdout)
        for lang in ("en", "fr")
    ]
    assert as_json[0] == as_json[1]


def test_an_unknown_language_is_a_usage_error(installation: Path) -> None:
    result = flexibatch(installation, "status", "--lang", "es")
    assert result.returncode == 2
    unset = flexibatch(installation, "status", FLEXIBATCH_LANG="es")
    assert unset.returncode == 2
    assert unset.stderr.strip() == "flexibatch: FLEXIBATCH_LANG must be nl, fr, de or en, not 'es'"


def test_the_samples_are_answered_in_their_sender_languages(installation: Path) -> None:
    french = (installation / "outbox" / "654321" / "FO.NOTI.654321.20260624.00002.R.DIMN.csv").read_bytes()
    assert french.startswith(b"\xef\xbb\xbf")
    assert "Le type de travailleur n'est pas FLX" in french.decode("utf-8")
