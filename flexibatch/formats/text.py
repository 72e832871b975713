"""Text that did not come from the processor, made safe for the answers (SPEC 5, 6.3).

A sender's file name, a CSV column name or cell, a reference, a value, and every message that
quotes one of them go through here before an answer carries them:

- `xml_text` for XML character data: `&`, `<` and `>` escaped, and every character XML 1.0 forbids
  (C0 controls other than tab, line feed and carriage return, lone surrogates, U+FFFE, U+FFFF)
  written as U+FFFD, so the answer stays well-formed whatever the submission held;
- `spreadsheet_cell` for a cell of the NOTI's CSV twin: the same characters replaced, and a cell a
  spreadsheet would run as a formula made inert with a leading `'`.

`has_forbidden` is how a CSV reader finds a cell or header that holds such a character.
"""

from __future__ import annotations

import re
from typing import Final

#: What XML 1.0 (its `Char` production) does not allow in a document.
FORBIDDEN: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Characters a text may hold that XML would misread: markup, or not allowed at all.
_NEEDS_WORK: Final = re.compile("[&<>]|" + FORBIDDEN.pattern)
_ENTITIES: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
REPLACEMENT: Final = "\ufffd"
#: A cell starting with one of these is a formula to a spreadsheet (tab and CR as well: OWASP).
FORMULA_STARTS: Final = "=+-@\t\r"


def has_forbidden(text: str) -> bool:
    """Whether the text holds a character XML 1.0 forbids."""
    return first_forbidden(text) is not None


def first_forbidden(text: str) -> str | None:
    """The first character of the text that XML 1.0 forbids, if any.

    Every such character is a control, a surrogate or a non-character, none of them printable: the
    test in C that most texts pass comes first.
    """
    if text.isprintable():
        return None
    found = FORBIDDEN.search(text)
    return None if found is None else found.group()


def _rewrite(match: re.Match[str]) -> str:
    return _ENTITIES.get(match.group(), REPLACEMENT)


def xml_text(text: str) -> str:
    """The text as XML character data; most texts (digits, dates, codes) come back as they are."""
    if text.isprintable() and "&" not in text and "<" not in text and ">" not in text:
        return text
    return _NEEDS_WORK.sub(_rewrite, text)


def spreadsheet_cell(text: str | None) -> str:
    """A cell of a CSV answer: shown by a spreadsheet as text, never run as a formula."""
    if not text:
        return ""
    if not text.isprintable():  # the test in C that most cells pass (see `first_forbidden`)
        text = FORBIDDEN.sub(REPLACEMENT, text)
    return "'" + text if text[0] in FORMULA_STARTS else text
