"""SPEC 1.1-1.3: the grammar of FI, GO and FS names, and the names of the answers.

A name either follows the grammar in shape (then it has a submission key, and its answers are named
after that key) or it does not (then it is a foreign file, answered as `ERR.<name>`). Checks that
need the reception date or the folder (ACRF-108, 109, 112 for `00000`, 114 for parts beyond the count)
are made when the submission is processed, so they come back as an ordinary negative receipt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flexibatch.domain.anomalies import Diagnostic, diagnostic
from flexibatch.formats.text import FORBIDDEN

PURPOSES = ("DIMN", "FLEX")

_ELEMENT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (element, pattern, ErrorID when the element is malformed)
    ("purpose", r"DIMN|FLEX", "ACRF-129"),
    ("sender", r"[0-9]{6}", "ACRF-131"),
    ("date", r"[0-9]{8}", "ACRF-109"),
    ("sequence", r"[0-9A-Z]{5}", "ACRF-112"),
    ("environment", r"[RT]", "ACRF-117"),
    ("parts", r"[1-9]", "ACRF-114"),
    ("part", r"[1-9]", "ACRF-114"),
)
_EXTENSIONS = (".xml", ".csv")
_IN_PROGRESS_SUFFIXES = (".filepart", ".part", ".tmp", "~")
#: The hidden folder beside a sender's files that holds them while they are claimed (channel/claims.py).
SPOT_PREFIX = ".flexibatch-"


class Kind(StrEnum):
    """A channel file's prefix: its part of a submission (not a claim's ClaimKind, nor a wage
    transfer's FlexiKind)."""

    DATA = "FI"
    TRIGGER = "GO"
    SIGNATURE = "FS"


@dataclass(frozen=True, slots=True)
class SubmissionKey:
    """What identifies a submission: `<PURPOSE>` and `<SENDER>.<YYYYMMDD>.<SEQ>.<ENV>`."""

    purpose: str
    sender: str
    date: str
    sequence: str
    env: str

    @property
    def stem(self) -> str:
        """`<SENDER>.<YYYYMMDD>.<SEQ>.<ENV>.<PURPOSE>`, the common part of every answer's name."""
        return f"{self.sender}.{self.date}.{self.sequence}.{self.env}.{self.purpose}"

    def __str__(self) -> str:
        return self.stem


@dataclass(frozen=True, slots=True)
class ChannelName:
    """A name that follows SPEC 1.1 (FI, FS) or 1.2 (GO) in shape."""

    name: str
    kind: Kind
    key: SubmissionKey
    parts: int
    part: int | None
    extension: str | None


#: What a shown name never holds: controls (DEL too), and every character XML 1.0 forbids.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f]|" + FORBIDDEN.pattern)
#: Longest name shown in an answer: `ERR.` + name + `.NN` must stay within 255 bytes.
_SHOWN_BYTES = 200


def safe_name(name: str) -> str:
    """A sender's file name as answers may show it: valid UTF-8, printable, not too long.

    Bytes that are not UTF-8 (kept by Python as surrogates), control characters and whatever else
    XML 1.0 forbids (U+FFFE, U+FFFF) become `_`; a name too long for `ERR.<name>` is cut and ends
    with a digest of the whole name.
    """
    shown = name if name.isprintable() else _UNSHOWABLE.sub("_", name)
    if len(shown.encode("utf-8")) <= _SHOWN_BYTES:
        return shown
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    cut = shown.encode("utf-8")[: _SHOWN_BYTES - 13].decode("utf-8", "ignore")
    return f"{cut}~{digest}"


def is_in_progress(name: str) -> bool:
    """An upload that is not finished: ignored until it is renamed."""
    return name.startswith(".") or name.endswith(_IN_PROGRESS_SUFFIXES)


def parse_name(name: str) -> ChannelName | list[Diagnostic]:
    """The name's meaning, or why it is not a channel name (the diagnostics of its ERR answer)."""
    stem, extension = name, None
    for ext in _EXTENSIONS:
        if name.lower().endswith(ext):
            stem, extension = name[: -len(ext)], ext[1:]
    fields = stem.split(".")
    prefix = fields[0]
    if prefix not in ("FI", "GO", "FS"):
        if len(fields) >= 7 and fields[1] in PURPOSES:
            return [
                diagnostic("ACRF-129", f"Unknown file name prefix {prefix!r}: expected FI, GO or FS."),
                diagnostic("ACRF-131"),
            ]
        return [diagnostic("ACRF-131")]
    kind = Kind(prefix)
    name_code = "ACRF-107" if kind is Kind.TRIGGER else "ACRF-131"
    expected = 7 if kind is Kind.TRIGGER else 8
    if kind is Kind.TRIGGER and extension is not None:
        return [diagnostic("ACRF-107", "A GO file name has no extension.")]
    if len(fields) != expected and not (kind is Kind.SIGNATURE and len(fields) == 7):
        return [diagnostic(name_code, f"The name has {len(fields)} elements where {expected} are expected.")]
    problems = [
        diagnostic(code, f"The {element} element {value!r} is malformed.")
        for (element, pattern, code), value in zip(_ELEMENT_PATTERNS, fields[1:], strict=False)
        if not re.fullmatch(pattern, value)
    ]
    if problems:
        return [*problems, diagnostic(name_code)]
    key = SubmissionKey(*fields[1:6])
    part = int(fields[7]) if len(fields) == 8 else None
    return ChannelName(name, kind, key, int(fields[6]), part, extension)


def name_diagnostics(names: list[ChannelName], folder: str | None, reception: datetime) -> list[Diagnostic]:
    """ACRF-108, 109, 112 and 114: what a well-shaped name can still get wrong."""
    first = names[0]
    key = first.key
    problems: list[Diagnostic] = []
    if folder is not None and folder != key.sender:
        problems.append(
            diagnostic(
                "ACRF-108", f"The name says sender {key.sender} but it was dropped in folder {folder}."
            )
        )
    try:
        made = date(int(key.date[:4]), int(key.date[4:6]), int(key.date[6:]))
    except ValueError:
        problems.append(diagnostic("ACRF-109", f"{key.date} is not a real date."))
    else:
        if made > reception.date():
            problems.append(diagnostic("ACRF-109", f"{key.date} is after the reception date."))
    if key.sequence == "00000":
        problems.append(diagnostic("ACRF-112", "The sequence 00000 is not allowed."))
    counts = {n.parts for n in names}
    if len(counts) > 1:
        problems.append(
            diagnostic("ACRF-114", "The GO file and the parts do not agree on the number of parts.")
        )
    data_parts = [n.part for n in names if n.kind is Kind.DATA]
    if any(p is not None and p > first.parts for p in data_parts) or len(data_parts) != len(set(data_parts)):
        problems.append(
            diagnostic("ACRF-114", "A part number is beyond the number of parts, or given twice.")
        )
    return problems


def answer_name(answer: str, key: SubmissionKey, counter: int = 1, extension: str | None = None) -> str:
    """`FO.ACRF.<stem>`, `FO.NOTI.<stem>[.csv]` (`answer`: ACRF or NOTI); a taken name gets `.2`,
    `.3`, ... before any extension."""
    name = f"FO.{answer}.{key.stem}"
    if counter > 1:
        name += f".{counter}"
    return f"{name}.{extension}" if extension else name


def error_answer_name(original: str, counter: int = 1) -> str:
    """`ERR.<original name>` for a file whose name is not a channel name."""
    name = f"ERR.{original}"
    return f"{name}.{counter}" if counter > 1 else name


def marker_name(answer: str) -> str:
    """The empty `GO.` marker that says an answer is whole: `FO.ACRF.x` -> `GO.ACRF.x`."""
    return "GO." + answer.split(".", 1)[1] if answer.startswith("FO.") else "GO." + answer
