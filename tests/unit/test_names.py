"""SPEC 1.1-1.3: the name grammar, and what a well-shaped name can still get wrong."""

from __future__ import annotations

from datetime import datetime

import pytest

from flexibatch.channel.names import (
    ChannelName,
    Role,
    answer_name,
    error_answer_name,
    is_in_progress,
    marker_name,
    name_diagnostics,
    parse_name,
)

RECEPTION = datetime(2026, 6, 24, 11, 50)


def _parsed(name: str) -> ChannelName:
    parsed = parse_name(name)
    assert isinstance(parsed, ChannelName), parsed
    return parsed


def test_a_data_file_name_gives_its_key_parts_and_extension() -> None:
    name = _parsed("FI.DIMN.123456.20260624.0000A.T.2.1.xml")
    assert name.role is Role.DATA
    assert name.key.stem == "123456.20260624.0000A.T.DIMN"
    assert (name.parts, name.part, name.extension) == (2, 1, "xml")


def test_a_go_name_has_no_part() -> None:
    name = _parsed("GO.FLEX.123456.20260624.00001.R.3")
    assert (name.role, name.parts, name.part) == (Role.TRIGGER, 3, None)


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("hello.txt", {"ACRF-131"}),
        ("FI.DIMN.123456.20260624.00001.R.1", {"ACRF-131"}),  # one element short
        ("FI.XXXX.123456.20260624.00001.R.1.1", {"ACRF-129", "ACRF-131"}),
        ("XX.DIMN.123456.20260624.00001.R.1.1", {"ACRF-129", "ACRF-131"}),
        ("FI.DIMN.12345.20260624.00001.R.1.1", {"ACRF-131"}),
        ("FI.DIMN.123456.2026062.00001.R.1.1", {"ACRF-109", "ACRF-131"}),
        ("FI.DIMN.123456.20260624.0001a.R.1.1", {"ACRF-112", "ACRF-131"}),
        ("FI.DIMN.123456.20260624.00001.P.1.1", {"ACRF-117", "ACRF-131"}),
        ("FI.DIMN.123456.20260624.00001.R.0.1", {"ACRF-114", "ACRF-131"}),
        ("GO.DIMN.123456.20260624.00001.R", {"ACRF-107"}),
        ("GO.DIMN.123456.20260624.00001.X.1", {"ACRF-117", "ACRF-107"}),
        ("GO.DIMN.123456.20260624.00001.R.1.xml", {"ACRF-107"}),
    ],
)
def test_names_of_the_wrong_shape_are_foreign_with_element_codes(name: str, codes: set[str]) -> None:
    parsed = parse_name(name)
    assert isinstance(parsed, list)
    assert {d.code for d in parsed} == codes


@pytest.mark.parametrize(
    ("names", "folder", "codes"),
    [
        (["FI.DIMN.123456.20260624.00001.R.1.1"], "123456", set()),
        (["FI.DIMN.123456.20260624.00001.R.1.1"], None, set()),
        (["FI.DIMN.123456.20260624.00001.R.1.1"], "654321", {"ACRF-108"}),
        (["FI.DIMN.123456.20260231.00001.R.1.1"], None, {"ACRF-109"}),
        (["FI.DIMN.123456.20260625.00001.R.1.1"], None, {"ACRF-109"}),
        (["FI.DIMN.123456.20260624.00000.R.1.1"], None, {"ACRF-112"}),
        (["FI.DIMN.123456.20260624.00001.R.1.2", "GO.DIMN.123456.20260624.00001.R.1"], None, {"ACRF-114"}),
        (["FI.DIMN.123456.20260624.00001.R.2.1", "GO.DIMN.123456.20260624.00001.R.1"], None, {"ACRF-114"}),
    ],
)
def test_well_shaped_names_are_checked_against_folder_and_reception(
    names: list[str], folder: str | None, codes: set[str]
) -> None:
    parsed = [_parsed(n) for n in names]
    assert {d.code for d in name_diagnostics(parsed, folder, RECEPTION)} == codes


@pytest.mark.parametrize(
    ("name", "in_progress"),
    [
        (".FI.DIMN.123456.20260624.00001.R.1.1", True),
        ("FI.DIMN.123456.20260624.00001.R.1.1.filepart", True),
        ("FI.DIMN.123456.20260624.00001.R.1.1.part", True),
        ("FI.DIMN.123456.20260624.00001.R.1.1.tmp", True),
        ("FI.DIMN.123456.20260624.00001.R.1.1~", True),
        ("FI.DIMN.123456.20260624.00001.R.1.1", False),
    ],
)
def test_uploads_in_progress_are_recognised(name: str, in_progress: bool) -> None:
    assert is_in_progress(name) is in_progress


def test_answer_names_take_a_suffix_before_the_extension_and_markers_follow_them() -> None:
    key = _parsed("FI.DIMN.123456.20260624.00001.R.1.1").key
    assert answer_name("ACRF", key) == "FO.ACRF.123456.20260624.00001.R.DIMN"
    assert answer_name("NOTI", key, 2, "csv") == "FO.NOTI.123456.20260624.00001.R.DIMN.2.csv"
    assert marker_name(answer_name("NOTI", key, 3)) == "GO.NOTI.123456.20260624.00001.R.DIMN.3"
    assert error_answer_name("hello.txt", 2) == "ERR.hello.txt.2"
    assert marker_name("ERR.hello.txt") == "GO.ERR.hello.txt"
