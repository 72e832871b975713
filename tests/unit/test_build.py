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
    """The modules listed, and every module of each package listed (a folder), `__init__` aside."""
    with PYPROJECT.open("rb") as handle:
        listed = tomllib.load(handle)["tool"]["flexibatch"]["compiled"]
    paths = [
        module.relative_to(ROOT)
        for path in listed
        for module in ((ROOT / path).glob("*.py") if (ROOT / path).is_dir() else [ROOT / path])
        if module.name != "__init__.py"
    ]
    assert len(paths) > len(listed), "a listed package holds modules"
    return [".".join(path.with_suffix("").parts) for path in paths]


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


def test_every_package_of_the_sources_is_installed() -> None:
    """A package left off `[tool.setuptools] packages` is missing from the wheel, though an editable
    install (which the other tests run on) finds it in the checkout."""
    with PYPROJECT.open("rb") as handle:
        listed = set(tomllib.load(handle)["tool"]["setuptools"]["packages"])
    sources = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "flexibatch").rglob("__init__.py")
    }
    assert sources - listed == set()
