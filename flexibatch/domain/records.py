"""The decorator of the value records a declaration makes by the dozen on its way through.

A frozen dataclass sets each field through `object.__setattr__`, four times the cost of a plain
assignment, and a monthly file makes tens of millions of records. `record` makes a slotted dataclass
that the type checker treats as frozen (`mypy --strict` refuses any assignment to a field) and that
runs as a plain one; like a frozen one, it hashes by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from typing_extensions import dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    return dataclass(slots=True, unsafe_hash=True)(cls)
