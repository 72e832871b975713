"""The second look at a batch libxml2 refused: xmlschema lists every schema error, in words.

libxml2 validates every batch (the hot path) and stops checking an element's children at the first
one out of place, so a sender who fixed that one met the next (a missing WorkerType after an
unknown element). A refused batch is validated again here with xmlschema, which goes on: each error
becomes a Diagnostic with its line, path, what the schema expects and the value found, as a sentence
of the catalogue (no regular expression: "four digits HHMM, 0000 to 2359"). The column is added by
the reader, which can read the file's lines again (`with_columns`).

Bounded (docs/decisions.md, "Schema errors"): the pass stops at the reader's diagnostic limit and
after `SECOND_PASS_SECONDS` of xmlschema time in a file; batches after that keep libxml2's words.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from flexibatch.domain.anomalies import N_, Diagnostic

#: xmlschema time a refused file may spend, all batches together, before libxml2's words are kept.
SECOND_PASS_SECONDS = 20.0

#: What a value of each named simple type of the XSDs must be, in words the catalogue translates.
TYPE_WORDS: dict[str, str] = {
    "DateType": N_("a date YYYY-MM-DD, such as 2026-06-25"),
    "HourType": N_("four digits HHMM, 0000 to 2359"),
    "FormCreationHourType": N_("an hour HH:MM:SS.sss, such as 10:15:00.000"),
    "INSSType": N_("an INSZ of 11 digits, or 0 when the worker has none"),
    "DimonaPeriodIdType": N_("a Dimona period id of 12 digits"),
    "NOSSRegistrationNbrType": N_("an RSZ number of 9 digits"),
    "ProvisionalNSSONbrType": N_("a provisional RSZ number of 1 to 10 digits"),
    "CompanyIDType": N_("an enterprise number of 10 digits, or 9 without the leading 0"),
    "CountryCodeType": N_("a country code of 1 to 5 digits"),
    "JointCommissionNbrType": N_("a joint committee such as 302, 118.03 or XXX"),
    "AmountType": N_("an amount in euro cents, a whole number"),
    "BonusPaymentFrequencyType": N_("a number of months from 0 to 12"),
    "EmployerClassType": N_("an employer class of 3 digits"),
    "WorkerCodeType": N_("a worker code of 3 digits"),
    "PlannedNbrType": N_("a whole number"),
    # XML Schema's own types, where a value fails before the XSD's type has a say (2026-02-30)
    "date": N_("a date YYYY-MM-DD, such as 2026-06-25"),
    "int": N_("a whole number"),
    "integer": N_("a whole number"),
    "long": N_("a whole number"),
}


@cache
def _schema(name: str) -> Any:
    import xmlschema  # noqa: PLC0415 - 0.4 s to import; only a refused file needs it

    with files("flexibatch.schemas").joinpath(name).open("rb") as handle:
        return xmlschema.XMLSchema(handle)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _words(validator: Any) -> str | None:
    """The catalogue's words for the simple type a facet or a type belongs to, if it has them."""
    for candidate in (validator, getattr(validator, "parent", None), getattr(validator, "base_type", None)):
        name = getattr(candidate, "local_name", None)
        if name in TYPE_WORDS:
            return TYPE_WORDS[str(name)]
    return None


def _enumeration(validator: Any) -> str | None:
    values = getattr(validator, "enumeration", None)
    if values is None:
        values = getattr(getattr(validator, "parent", None), "enumeration", None)
    return ", ".join(str(v) for v in values) if values else None


def _length(validator: Any) -> str | None:
    kind = type(validator).__name__
    if kind == "XsdMaxLengthFacet":
        return str(validator.value)
    return None


@dataclass(frozen=True)
class _Found:
    line: int | None
    path: str
    message: str
    args: dict[str, object]


def _children(error: Any, path: str) -> _Found:
    """An element out of place, or one missing: XMLSchemaChildrenValidationError."""
    parent = error.elem
    expected = ", ".join(_local(getattr(e, "name", e)) for e in (error.expected or ())) or "-"
    if error.invalid_tag is not None and error.index is not None and error.index < len(parent):
        child = parent[error.index]
        return _Found(
            child.sourceline,
            f"{path}/{_local(child.tag)}",
            N_("Element {element} is not expected here; expected: {expected}."),
            {"element": _local(child.tag), "expected": expected},
        )
    return _Found(
        parent.sourceline,
        path,
        N_("Element {element} is incomplete: {expected} is missing."),
        {"element": _local(parent.tag), "expected": expected},
    )


def _value(error: Any, path: str) -> _Found:
    """A value the schema refuses: XMLSchemaValidationError or a decode error."""
    element = error.elem
    value = element.text if element is not None and element.text is not None else error.obj
    text = "" if value is None else str(value)
    line = element.sourceline if element is not None else None
    tag = _local(element.tag) if element is not None else path.rsplit("/", 1)[-1]
    args: dict[str, object] = {"element": tag, "value": text}
    if (words := _words(error.validator)) is not None:
        return _Found(
            line, path, N_("{element} holds '{value}'; expected: {expected}."), {**args, "expected": words}
        )
    if (allowed := _enumeration(error.validator)) is not None:
        return _Found(
            line,
            path,
            N_("{element} holds '{value}'; expected one of: {allowed}."),
            {**args, "allowed": allowed},
        )
    if (limit := _length(error.validator)) is not None:
        return _Found(
            line,
            path,
            N_("{element} holds '{value}', longer than {limit} characters."),
            {**args, "limit": limit},
        )
    if not text.strip():
        return _Found(line, path, N_("{element} is empty; a value is expected."), args)
    return _Found(line, path, N_("{element} holds '{value}', which its type does not allow."), args)


def _found(error: Any) -> _Found:
    path = error.path or ""
    if type(error).__name__ == "XMLSchemaChildrenValidationError":
        return _children(error, path)
    return _value(error, path)


@dataclass
class SecondPass:
    """One file's second looks, sharing its time budget across the batches."""

    schema_name: str
    spent: float = 0.0

    @property
    def exhausted(self) -> bool:
        return self.spent >= SECOND_PASS_SECONDS

    def explain(self, batch: etree._Element, limit: int) -> list[Diagnostic] | None:
        """Every schema error of the batch (paths as in the batch), at most `limit`; None when the
        time budget is spent, or xmlschema found nothing libxml2 did (then libxml2's words stay)."""
        if self.exhausted or limit <= 0:
            return None
        started = time.monotonic()
        found: list[_Found] = []
        try:
            for error in _schema(self.schema_name).iter_errors(etree.ElementTree(batch)):
                found.append(_found(error))
                if len(found) >= limit or time.monotonic() - started + self.spent >= SECOND_PASS_SECONDS:
                    break
        finally:
            self.spent += time.monotonic() - started
        if not found:
            return None
        found.sort(key=lambda f: (f.line or 0, f.path))
        return [
            Diagnostic(
                "ACRF-312", f.message, f.line, None, f.path, tuple((k, str(v)) for k, v in f.args.items())
            )
            for f in found
        ]


def with_columns(diagnostics: Iterable[Diagnostic], lines: dict[int, str]) -> Iterator[Diagnostic]:
    """Each diagnostic with the column of its element's start tag on its line, when it lacks one."""
    for problem in diagnostics:
        text = lines.get(problem.line or 0)
        if problem.column or text is None or not problem.path:
            yield problem
            continue
        tag = problem.path.rsplit("/", 1)[-1].split("[", 1)[0].rsplit(":", 1)[-1]
        at = next((i for i in _starts(text, tag)), -1)
        yield replace(problem, column=at + 1) if at >= 0 else problem


def _starts(text: str, tag: str) -> Iterator[int]:
    start = 0
    while (at := text.find("<" + tag, start)) >= 0:
        follows = text[at + 1 + len(tag) : at + 2 + len(tag)]
        if follows in (">", "/", " ", "\t", "\r", ""):
            yield at
        start = at + 1
