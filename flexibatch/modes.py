"""The settings of SPEC 1's SFTP paragraph as pydantic types: a group name per sender and the
modes of the outbox's sender folders and answers, written as operators write them for chmod."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints


def _octal(value: object) -> int:
    """A mode as operators write it for chmod (`2750`, `0o2750`), or an integer (TOML's `0o2750`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip().lower().removeprefix("0o") if isinstance(value, str) else ""
    if not re.fullmatch("0*[0-7]{3,4}", text):
        raise ValueError("not an octal mode")
    return int(text, 8)


def _folder_mode(mode: int) -> int:
    """SPEC 1: a sender folder the processor makes is its owner's (rwx) and may be its sender's
    group's, setgid or sticky; never the world's."""
    if mode & ~0o3770 or mode & 0o700 != 0o700:
        raise ValueError("not a sender folder mode")
    return mode


def _answer_mode(mode: int) -> int:
    """An answer is never edited in place (the archived copy is the same file): the group may read it."""
    if mode not in (0o600, 0o640):
        raise ValueError("not an answer mode")
    return mode


#: A group name as useradd takes it, in which `{sender}` may stand for the 6-digit sender number.
SenderGroup = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_-]*(\{sender\}[a-z0-9_-]*)?$")]
FolderMode = Annotated[int, BeforeValidator(_octal), AfterValidator(_folder_mode)]
AnswerMode = Annotated[int, BeforeValidator(_octal), AfterValidator(_answer_mode)]
