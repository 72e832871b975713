"""The install the README gives runs the hot path compiled (setup.py); an editable one, the sources."""

from __future__ import annotations

import importlib
import importlib.util
import os
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import flexibatch

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def _compiled_modules() -> list[str]:
    with PYPROJECT.open("rb") as handle:
        paths = tomllib.load(handle)["tool"]["flexibatch"]["compiled"]
    return [path.removesuffix(".py").replace("/", ".") for path in paths]


def test_a_regular_install_runs_every_listed_module_compiled() -> None:
    if Path(flexibatch.__file__).resolve().parent == ROOT / "flexibatch":
        pytest.skip("the checkout's own sources run here (an editable install, or `python -m pytest`)")
    if os.environ.get("FLEXIBATCH_PURE_PYTHON"):
        pytest.skip("built as pure Python on purpose")
    interpreted = [
        name
        for name in _compiled_modules()
        if not str(importlib.import_module(name).__file__).endswith(tuple(EXTENSION_SUFFIXES))
    ]
    assert interpreted == [], "these modules run as Python source, not compiled"


def test_only_modules_that_exist_are_listed_for_compiling() -> None:
    missing = [name for name in _compiled_modules() if importlib.util.find_spec(name) is None]
    assert missing == []
