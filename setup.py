"""The hot path compiled to C with mypyc when flexibatch is built as a wheel (`pip install .`).

The packages and modules are listed in pyproject.toml (`[tool.flexibatch] compiled`): the domain
package (records, rules, decisions), the bulk deciders, the readers' row conversion, the store's row
mapping and the NOTI writer, where a monthly batch spends its Python time
(docs/performance.md). They are fully typed (`mypy --strict`), which is what mypyc compiles from;
compiled, they do what the sources say, faster. An editable install (`pip install -e .`) stays pure
Python, so an edit is what runs next; `FLEXIBATCH_PURE_PYTHON=1` builds a pure wheel where no C
compiler is at hand.
"""

from __future__ import annotations

import os
import shutil
import sys
import tomllib
from pathlib import Path

from babel.messages.mofile import write_mo  # build requirements (pyproject.toml)
from babel.messages.pofile import read_po
from mypyc.build import mypycify
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

#: The setuptools commands that build extensions; metadata and editable builds need none.
_BUILDS = {"bdist_wheel", "build", "build_ext"}


def extensions() -> list[Extension]:
    if os.environ.get("FLEXIBATCH_PURE_PYTHON") or not _BUILDS & set(sys.argv):
        return []
    root = Path(__file__).parent
    # pip builds in the source tree, and setuptools packs whatever an earlier build left in build/:
    # a module taken off the list would ship compiled as it was.
    shutil.rmtree(root / "build", ignore_errors=True)
    with (root / "pyproject.toml").open("rb") as handle:
        listed = tomllib.load(handle)["tool"]["flexibatch"]["compiled"]
    return mypycify(sorted(_modules(root, listed)), opt_level="3", group_name="flexibatch")


def _modules(root: Path, listed: list[str]) -> set[str]:
    """The listed modules, and every module of each listed package (its empty `__init__` aside)."""
    found = set()
    for path in listed:
        if (root / path).is_dir():
            modules = (root / path).glob("*.py")
            found.update(str(m.relative_to(root)) for m in modules if m.name != "__init__.py")
        else:
            found.add(path)
    return found


class BuildWithCatalogues(build_py):
    """build_py, then each `.po` copied into the build compiled to `.mo` beside it."""

    def run(self) -> None:
        super().run()
        for source in Path("flexibatch/locale").glob("*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib) / source.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as po:
                catalogue = read_po(po)
            with target.open("wb") as mo:
                write_mo(mo, catalogue)


setup(ext_modules=extensions(), cmdclass={"build_py": BuildWithCatalogues})
