"""The ErrorID catalogue of SPEC 4, 7 and 8: code, class and label in one place.

Rules return `Anomaly` values; they never raise for a business problem. An anomaly names the field
it is about with a logical path (`DimonaIn/StartingDate`); the format that read the declaration turns
that into an XPath or a CSV column when the answer is written.

Labels and messages are English source sentences (flexibatch/i18n.py), templates whose named
placeholders (`Row {row}`) the anomaly's `args` fill: the answer writers translate the template into
the sender's language first. `N_` marks a source sentence where it is written, for the catalogue test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

#: Placeholder values of a sentence: (name, value) pairs, hashable as records are.
Args = tuple[tuple[str, str], ...]


def N_(text: str) -> str:  # gettext's name for "a source sentence, translated later"
    """Marks a source sentence (the catalogue test extracts every one); returns it unchanged."""
    return text


def _same(text: str) -> str:
    return text


class Words(str):
    """A placeholder's value that is itself a source sentence (`four digits HHMM, 0000 to 2359`),
    translated with the sentence it fills; any other value (a sender's cell) never is."""

    __slots__ = ()


#: How an argument is marked as Words once it is a plain (name, value) pair.
_WORDS = "~"


def sentence(template: str, args: Args, translate: Callable[[str], str] = _same) -> str:
    """A template in the translator's language with its placeholders filled (English by default)."""
    text = translate(template)
    if not args:
        return text
    values = {
        (name[1:] if name.startswith(_WORDS) else name): (
            translate(value) if name.startswith(_WORDS) else value
        )
        for name, value in args
    }
    return text.format_map(values)


def args_of(values: dict[str, object]) -> Args:
    """Placeholder values as a record keeps them; Words are marked to be translated."""
    return tuple(
        ((_WORDS + name) if isinstance(value, Words) else name, str(value)) for name, value in values.items()
    )


class AnomalyClass(StrEnum):
    BLOCKING = "B"
    NON_BLOCKING = "NP"


B = AnomalyClass.BLOCKING
NP = AnomalyClass.NON_BLOCKING


@dataclass(unsafe_hash=True)
class Anomaly:
    """One finding about one declaration (a NOTI AnomalyReport)."""

    code: str
    cls: AnomalyClass
    field: str | None
    value: str | None
    label: str  # the source sentence, a template
    args: Args = ()  # what fills its placeholders

    # Written out: mypyc compiles it (a generated one runs as Python; see Schedule).
    def __init__(  # noqa: PLR0917 - the fields, positional as in the generated one
        self,
        code: str,
        cls: AnomalyClass,
        field: str | None,
        value: str | None,
        label: str,
        args: Args = (),
    ) -> None:
        self.code = code
        self.cls = cls
        self.field = field
        self.value = value
        self.label = label
        self.args = args

    def text(self, translate: Callable[[str], str] = _same) -> str:
        """The label in the translator's language (English by default), its values filled in."""
        return sentence(self.label, self.args, translate)


@dataclass(unsafe_hash=True)
class Diagnostic:
    """One finding about a whole file (an ACRF Diagnostic)."""

    code: str
    message: str  # the source sentence, a template
    line: int | None = None
    column: int | None = None
    path: str | None = None
    args: Args = ()  # what fills its placeholders

    def text(self, translate: Callable[[str], str] = _same) -> str:
        """The message in the translator's language (English by default), its values filled in."""
        return sentence(self.message, self.args, translate)


#: Declaration-level codes: (class, label). Labels are one sentence an operator understands; a
#: `{where}` in one is the last step of the anomaly's Path, so it names the column a CSV has.
DECLARATION_CODES: dict[str, tuple[AnomalyClass, str]] = {
    # SPEC 7, every declaration
    "90256-364": (B, "The employer must be identified by an RSZ number or an enterprise number."),
    "00011-004": (B, "The RSZ number fails its check digits."),
    "00014-004": (B, "The enterprise number fails its check digits."),
    "00011-235": (B, "The RSZ number is not in the employer repertory."),
    "00014-235": (B, "The enterprise number is not in the employer repertory."),
    "90256-155": (
        B,
        "The sender holds no mandate for this employer and purpose on the reception date.",
    ),
    "00024-004": (B, "The INSZ fails its check digits."),
    "00024-347": (B, "The INSZ differs from the worker of the period."),
    "00011-347": (B, "The employer differs from the employer of the period."),
    # SPEC 7, IN
    "00655-350": (B, "The worker type is not FLX: this channel takes flexi-jobs only."),
    "90017-363": (
        B,
        "Without an INSZ the worker's name, first name, birth date, birth place, birth country, sex, "
        "street, house number, zip code, city, country and nationality are all required.",
    ),
    "00046-008": (B, "The joint committee is missing or not allowed for a flexi-job."),
    "01135-005": (B, "Planned hours or days are forbidden for a flexi-job declaration."),
    "00777-001": (B, "A declaration with hours needs its start hour."),
    "00778-001": (B, "A declaration with hours needs its end hour."),
    "00778-345": (B, "The end is not after the start."),
    "90373-341": (B, "A one-day declaration may not last longer than 24 hours."),
    "00911-014": (B, "The end date is before the start date."),
    "90373-421": (
        B,
        "A declaration without hours must end after it starts and in the same quarter.",
    ),
    "00910-901": (
        B,
        "A declaration without hours may not be received more than 31 days before its quarter starts.",
    ),
    "90373-333": (
        B,
        "An active period with the same employer, worker, start and end already exists.",
    ),
    "90373-334": (B, "The period overlaps an active period of the same employer and worker."),
    "90373-460": (NP, "Late declaration: received after the start of the work."),
    "90017-510": (NP, "The worker does not meet the flexi-job access conditions for this quarter."),
    # SPEC 7, UPDATE, CANCEL, OUT
    "00913-354": (B, "The Dimona period id is unknown in this environment."),
    "00913-355": (B, "The Dimona period is cancelled."),
    "90378-444": (B, "The update changes nothing."),
    "00777-181": (B, "The start may not move once work has begun, nor into the past."),
    "00778-181": (B, "The end moves outside the window allowed for changing it."),
    "00911-344": (B, "A period without hours may not be extended."),
    "90378-341": (B, "After the update the one-day declaration would last longer than 24 hours."),
    "90378-334": (B, "After the update the period would overlap another active period."),
    "00913-181": (B, "Too late to cancel: the deadline is midnight at the end of the start day."),
    "00913-356": (B, "The period already has an end."),
    # SPEC 6.3: a CSV cell that cannot be read as its column's type (the XML twin is the schema's job)
    "90000-102": (B, "The cell cannot be read as the value its column holds."),
    # SPEC 8, Flexi at work
    "95001-003": (B, "The relation UUID (reference type 10, origin 8) is missing, malformed or given twice."),
    "95001-005": (
        B,
        "A cancellation carries no calculation; an original or a modification carries at least one.",
    ),
    "95001-183": (B, "An original was sent for a situation that is already active: send a modification."),
    "95001-180": (B, "The situation to modify or cancel is unknown."),
    "95001-181": (B, "The situation to modify or cancel is cancelled."),
    "95010-014": (B, "The calculation period ends before it starts."),
    "95010-034": (B, "The calculation period runs over 31 December: split it in two."),
    "95010-146": (B, "The calculation period lies before 2025, outside Flexi at work."),
    "95020-003": (B, "The validity period is not inside its calculation period."),
    "95020-008": (B, "The worker code must be 050 (flexi worker) or 450 (flexi clerk)."),
    "95030-001": (B, "The features carry no financial element."),
    "95030-003": (B, "The amount must be greater than zero."),
    "95030-008": (B, "The financial element code must be 0001001000 (flexi wage) or 0002001000 (premium)."),
    # {where}: the element or CSV column of the field the anomaly names (its `where` argument, else
    # its own field), as the submission's format calls it: BonusPaymentFrequency, or frequency
    "95031-001": (B, "A premium needs its payment frequency ({where})."),
    "95031-005": (B, "A flexi wage line takes no payment frequency ({where})."),
    "95031-008": (B, "The payment frequency ({where}) must lie between 0 and 12."),
    "00024-152": (NP, "No active flexi-job Dimona of this employer and worker covers the validity period."),
    "95010-460": (NP, "Late: received more than 5 days after the calculation date."),
    "00024-902": (
        NP,
        "After this declaration the worker's flexi income for the year exceeds the tax-free ceiling.",
    ),
}

#: File-level codes of SPEC 4, with the sentence a Diagnostic carries by default.
FILE_CODES: dict[str, str] = {
    "ACRF-102": "The file is not well-formed XML or readable CSV.",
    "ACRF-107": "The GO file name does not follow GO.<PURPOSE>.<SENDER>.<YYYYMMDD>.<SEQ>.<ENV>.<PARTS>.",
    "ACRF-108": "The sender in the file name differs from the sender folder it was dropped in.",
    "ACRF-109": "The date in the file name is not a real date or is after the reception date.",
    "ACRF-112": "The sequence in the file name must be 5 characters of 0-9A-Z, not 00000.",
    "ACRF-114": "The parts in the file name are malformed or inconsistent.",
    "ACRF-117": "The environment in the file name must be R or T.",
    "ACRF-129": "Unknown prefix or purpose, or the document is not the one the purpose announces.",
    "ACRF-130": "The GO file or a part of the file did not arrive in time.",
    "ACRF-131": (
        "The file name does not follow FI.<PURPOSE>.<SENDER>.<YYYYMMDD>.<SEQ>.<ENV>.<PARTS>.<PART>."
    ),
    "ACRF-133": "This sender already used this file name.",
    "ACRF-134": "The same content was already received under another name.",
    "ACRF-157": "The file holds no declaration.",
    "ACRF-184": "The file is larger than the maximum size accepted.",
    "ACRF-190": "The sender is unknown.",
    "ACRF-312": "The XML is not valid against the schema.",
    "ACRF-901": "The file is unsafe to read (DTD, entity, external reference or parser limit).",
}


def anomaly(
    code: str, field: str | None = None, value: object = None, label: str | None = None, **args: object
) -> Anomaly:
    """An anomaly of the catalogue, with its class and label (a template `args` fill)."""
    cls, default_label = DECLARATION_CODES[code]
    return Anomaly(
        code, cls, field, None if value is None else str(value), label or default_label, args_of(args)
    )


def diagnostic(
    code: str,
    message: str | None = None,
    *,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
    **args: object,
) -> Diagnostic:
    """A file-level diagnostic of the catalogue, its message a template `args` fill."""
    return Diagnostic(code, message or FILE_CODES[code], line, column, path, args_of(args))


def is_blocking(anomalies: Iterable[Anomaly]) -> bool:
    return any(a.cls is B for a in anomalies)


def code_label(code: str, translate: Callable[[str], str] = _same) -> str:
    """The catalogue's label of an ErrorID (declaration or file level) in the translator's language,
    for a legend such as the report's; a `{where}` names the field as both formats do."""
    label = DECLARATION_CODES[code][1] if code in DECLARATION_CODES else FILE_CODES[code]
    return sentence(label, (("where", "BonusPaymentFrequency, frequency"),), translate)
