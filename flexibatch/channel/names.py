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

from flexibatch.domain.anomalies import N_, Diagnostic, diagnostic
from flexibatch.formats.text import FORBIDDEN

PURPOSES = ("DIMN", "FLEX")

_ELEMENT_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (what the element must be, pattern, ErrorID when the element is malformed)
    (N_("The purpose {value} in the name must be DIMN or FLEX."), r"DIMN|FLEX", "ACRF-129"),
    (N_("The sender {value} in the name must be 6 digits."), r"[0-9]{6}", "ACRF-131"),
    (N_("The date {value} in the name must be 8 digits YYYYMMDD."), r"[0-9]{8}", "ACRF-109"),
    (
        N_("The sequence {value} in the name must be 5 characters, digits or capital letters."),
        r"[0-9A-Z]{5}",
        "ACRF-112",
    ),
    (N_("The environment {value} in the name must be R or T."), r"[RT]", "ACRF-117"),
    (N_("The number of parts {value} in the name must be a digit from 1 to 9."), r"[1-9]", "ACRF-114"),
    (N_("The part number {value} in the name must be a digit from 1 to 9."), r"[1-9]", "ACRF-114"),
)
_EXTENSIONS = (".xml", ".csv")
_IN_PROGRESS_SUFFIXES = (".filepart", ".part", ".tmp", "~")


class Role(StrEnum):
    """A channel file's prefix: its role in a submission (data, trigger, signature)."""

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
    role: Role
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
                diagnostic(
                    "ACRF-129", N_("Unknown file name prefix {prefix}: expected FI, GO or FS."), prefix=prefix
                ),
                diagnostic("ACRF-131"),
            ]
        return [diagnostic("ACRF-131")]
    role = Role(prefix)
    name_code = "ACRF-107" if role is Role.TRIGGER else "ACRF-131"
    expected = 7 if role is Role.TRIGGER else 8
    if role is Role.TRIGGER and extension is not None:
        return [diagnostic("ACRF-107", N_("A GO file name has no extension."))]
    if len(fields) != expected and not (role is Role.SIGNATURE and len(fields) == 7):
        return [
            diagnostic(
                name_code,
                N_("The name has {count} elements where {expected} are expected."),
                count=len(fields),
                expected=expected,
            )
        ]
    problems = [
        diagnostic(code, must, value=value)
        for (must, pattern, code), value in zip(_ELEMENT_PATTERNS, fields[1:], strict=False)
        if not re.fullmatch(pattern, value)
    ]
    if problems:
        return [*problems, diagnostic(name_code)]
    key = SubmissionKey(*fields[1:6])
    part = int(fields[7]) if len(fields) == 8 else None
    return ChannelName(name, role, key, int(fields[6]), part, extension)


def name_diagnostics(names: list[ChannelName], folder: str | None, reception: datetime) -> list[Diagnostic]:
    """ACRF-108, 109, 112 and 114: what a well-shaped name can still get wrong."""
    first = names[0]
    key = first.key
    problems: list[Diagnostic] = []
    if folder is not None and folder != key.sender:
        problems.append(
            diagnostic(
                "ACRF-108",
                N_("The name says sender {sender} but it was dropped in folder {folder}."),
                sender=key.sender,
                folder=folder,
            )
        )
    try:
        made = date(int(key.date[:4]), int(key.date[4:6]), int(key.date[6:]))
    except ValueError:
        problems.append(diagnostic("ACRF-109", N_("{date} is not a real date."), date=key.date))
    else:
        if made > reception.date():
            problems.append(diagnostic("ACRF-109", N_("{date} is after the reception date."), date=key.date))
    if key.sequence == "00000":
        problems.append(diagnostic("ACRF-112", N_("The sequence 00000 is not allowed.")))
    counts = {n.parts for n in names}
    if len(counts) > 1:
        problems.append(
            diagnostic("ACRF-114", N_("The GO file and the parts do not agree on the number of parts."))
        )
    data_parts = [n.part for n in names if n.role is Role.DATA]
    if any(p is not None and p > first.parts for p in data_parts) or len(data_parts) != len(set(data_parts)):
        problems.append(
            diagnostic("ACRF-114", N_("A part number is beyond the number of parts, or given twice."))
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
