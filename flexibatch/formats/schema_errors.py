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

import copy
import itertools
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from flexibatch.domain.anomalies import N_, Diagnostic, Words, args_of

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
    element: Any = None  # the element the diagnostic is about, in the copied document


def _children(error: Any, path: str) -> _Found:
    """An element out of place, or one missing: XMLSchemaChildrenValidationError."""
    parent = error.elem
    expected = ", ".join(_local(getattr(e, "name", e)) for e in (error.expected or ()))
    if error.invalid_tag is not None and error.index is not None and error.index < len(parent):
        child = parent[error.index]
        if not expected:
            return _Found(
                child.sourceline,
                f"{path}/{_local(child.tag)}",
                N_("Element {element} is not expected here."),
                {"element": _local(child.tag)},
            )
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
    extra: dict[str, object] = {}
    if (words := _words(error.validator)) is not None:
        template, extra = N_("{element} holds '{value}'; expected: {expected}."), {"expected": Words(words)}
    elif (allowed := _enumeration(error.validator)) is not None:
        template, extra = N_("{element} holds '{value}'; expected one of: {allowed}."), {"allowed": allowed}
    elif (limit := _length(error.validator)) is not None:
        template, extra = N_("{element} holds '{value}', longer than {limit} characters."), {"limit": limit}
    elif not text.strip():
        template = N_("{element} is empty; a value is expected.")
    else:
        template = N_("{element} holds '{value}', which its type does not allow.")
    return _Found(line, path, template, {**args, **extra})


def _path(element: Any) -> str:
    """`/Dimona/Form[3]/DimonaIn/StartingHour`: an index where the element has namesakes, as libxml2
    writes it (xmlschema's own `path` walks the whole document for each error)."""
    steps = []
    while element is not None:
        step = _local(element.tag)
        before = sum(1 for _ in element.itersiblings(element.tag, preceding=True))
        if before or next(element.itersiblings(element.tag), None) is not None:
            step += f"[{before + 1}]"
        steps.append(step)
        element = element.getparent()
    return "/" + "/".join(reversed(steps))


def _found(error: Any) -> _Found:
    path = _path(error.elem) if error.elem is not None else ""
    if type(error).__name__ != "XMLSchemaChildrenValidationError":
        return replace(_value(error, path), element=error.elem)
    parent = error.elem
    out_of_place = error.invalid_tag is not None and error.index is not None and error.index < len(parent)
    return replace(_children(error, path), element=parent[error.index] if out_of_place else parent)


#: Preceding Forms looked at for elements of the same name on a line (a file written on one line).
_SAME_LINE_FORMS = 100


def _before_on_line(element: Any, batch: etree._Element, looked: list[int]) -> int | None:
    """How many elements of the same name start earlier on the element's line (so its column is the
    start of the next one); None when it cannot be told (too many Forms share the line)."""
    if element is None or element.sourceline is None:
        return None
    line, tag = element.sourceline, element.tag
    form = element
    while form.getparent() is not None and form.getparent().getparent() is not None:
        form = form.getparent()
    count = 0
    for other in form.iter(tag):
        if other is element:
            break
        count += other.sourceline == line
    if form.getparent() is None:
        return count
    previous = batch[looked[form.getparent().index(form)] - 1].getprevious()
    for _ in range(_SAME_LINE_FORMS):
        if previous is None or previous.sourceline != line:
            return count
        count += sum(1 for other in previous.iter(tag) if other.sourceline == line)
        previous = previous.getprevious()
    return None if previous is not None and previous.sourceline == line else count


@dataclass
class SecondPass:
    """One file's second looks, sharing its time budget across the batches."""

    schema_name: str
    spent: float = 0.0

    @property
    def exhausted(self) -> bool:
        return self.spent >= SECOND_PASS_SECONDS

    def explain(
        self, batch: etree._Element, flagged: list[int], limit: int
    ) -> list[tuple[Diagnostic, int | None]] | None:
        """Every schema error of the batch's `flagged` Forms (1-based, those libxml2 refused), at most
        `limit`, paths as in the batch; None when the time budget is spent or xmlschema found nothing
        (then libxml2's words stay); with each, the elements of its name earlier on its line (for
        `with_columns`). Only those Forms are validated again, copied into a document of
        their own (xmlschema takes some 2 ms a Form): a batch of 5 000 with one error costs one."""
        if self.exhausted or limit <= 0:
            return None
        started = time.monotonic()
        looked = flagged[:limit]  # each refused Form has one error at least
        document = etree.Element(batch.tag, nsmap=batch.nsmap)
        for index in looked:
            document.append(copy.deepcopy(batch[index - 1]))  # the copy keeps its source line
        found: list[_Found] = []
        try:
            for error in _schema(self.schema_name).iter_errors(etree.ElementTree(document)):
                found.append(_found(error))
                if len(found) >= limit or time.monotonic() - started + self.spent >= SECOND_PASS_SECONDS:
                    break
        finally:
            self.spent += time.monotonic() - started
        if not found:
            return None
        before = [_before_on_line(f.element, batch, looked) for f in found]
        explained = [
            (
                Diagnostic("ACRF-312", f.message, f.line, None, _in_batch(f.path, looked), args_of(f.args)),
                earlier,
            )
            for f, earlier in zip(found, before, strict=True)
        ]
        return sorted(explained, key=lambda pair: (pair[0].line or 0, pair[1] or 0))


#: The Form step of a path: `/Dimona/Form[3]`, or `/*/*[3]` as libxml2 writes a namespaced one
#: (a batch's root holds Forms only).
_FORM_STEP = re.compile(r"^(/[^/]+/(?:(?:\w+:)?Form|\*))(?:\[(\d+)\])?")


def _in_batch(path: str, looked: list[int]) -> str:
    """`/Root/Form[j]/...` of the copied Forms is `/Root/Form[looked[j-1]]/...` of the batch."""
    match = _FORM_STEP.match(path)
    if match is None:
        return path
    return f"{match[1]}[{looked[int(match[2] or 1) - 1]}]" + path[match.end() :]


def flagged_forms(paths: Iterable[str | None]) -> list[int]:
    """The Forms (1-based, in the batch) that libxml2's error paths point into."""
    return sorted(
        {int(m[2] or 1) for p in paths if p and (m := _FORM_STEP.match(re.sub(r"\{[^}]*\}", "", p)))}
    )


def with_columns(
    diagnostics: Iterable[Diagnostic], lines: dict[int, str], before: dict[int, int | None]
) -> Iterator[Diagnostic]:
    """Each diagnostic (the i-th) with the column of its element's start tag on its line, when it
    lacks one: the start tag after `before[i]` others of its name there (the first, if not known
    whether there are others: libxml2's own diagnostics); none when there is no telling."""
    for i, problem in enumerate(diagnostics):
        text = lines.get(problem.line or 0)
        earlier = before.get(i, 0)
        if problem.column or text is None or not problem.path or earlier is None:
            yield problem
            continue
        tag = problem.path.rsplit("/", 1)[-1].split("[", 1)[0].rsplit(":", 1)[-1]
        at = next(itertools.islice(_starts(text, tag), earlier, None), -1)
        yield replace(problem, column=at + 1) if at >= 0 else problem


def _starts(text: str, tag: str) -> Iterator[int]:
    start = 0
    while (at := text.find("<" + tag, start)) >= 0:
        follows = text[at + 1 + len(tag) : at + 2 + len(tag)]
        if follows in (">", "/", " ", "\t", "\r", ""):
            yield at
        start = at + 1
