"""Hardened XML reading with XSD validation, in bounded batches.

The file is parsed once, as a stream, by libxml2 with DTD loading, entity resolution and network
access off and its default size limits on. Every top-level `Form` is moved into a small batch
document that is validated against the XSD on its own, so memory stays bounded on monthly files
while each schema error still carries the line, column and XPath of the original file. A DOCTYPE of
any kind is refused before parsing (ACRF-901).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from typing import Generic, TypeVar

from lxml import etree

from flexibatch.domain.anomalies import N_, Diagnostic, diagnostic
from flexibatch.formats.schema_errors import SecondPass, flagged_forms, with_columns
from flexibatch.formats.streams import ByteSource, FormBatch, Parts, Rewound

T = TypeVar("T")


#: Diagnostics kept in one receipt; the last one says how many more there were.
MAX_DIAGNOSTICS = 1000
_PROLOG_BYTES = 64 * 1024
_ACCEPTED_ENCODINGS = {"UTF-8", "ISO-8859-1"}
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_UNSAFE_MESSAGES = ("XML_PARSE_HUGE", "Resource limit", "Excessive depth", "huge", "too long", "entity")
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_NO_DOCTYPE = N_("A DOCTYPE or entity declaration is not allowed.")


@cache
def load_schema(name: str) -> etree.XMLSchema:
    """One of the project's XSDs, shipped inside the package as `flexibatch.schemas`."""
    resource = files("flexibatch.schemas").joinpath(name)
    with resource.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


@dataclass
class XmlReader(Generic[T]):
    """Reads one document of Forms; `diagnostics` holds every file-level problem found."""

    schema_name: str  # one of schemas/, e.g. Dimona.xsd
    root: str
    namespace: str | None
    to_record: Callable[[etree._Element, int], T]
    batch_size: int = 5000
    diagnostics: list[Diagnostic] = field(default_factory=list)
    forms: int = 0
    _dropped: int = 0
    _second: SecondPass | None = None
    #: diagnostic index -> elements of its element's name earlier on its line (schema_errors)
    _before: dict[int, int | None] = field(default_factory=dict)

    @property
    def schema(self) -> etree.XMLSchema:
        return load_schema(self.schema_name)

    @property
    def refused(self) -> bool:
        return bool(self.diagnostics)

    def _add(self, problem: Diagnostic) -> None:
        if len(self.diagnostics) < MAX_DIAGNOSTICS:
            self.diagnostics.append(problem)
        else:
            self._dropped += 1

    def _finish_diagnostics(self) -> None:
        if self._dropped:
            self.diagnostics.append(
                diagnostic(
                    "ACRF-312", N_("More problems were found and not listed: {count}."), count=self._dropped
                )
            )

    def read(self, stream: ByteSource) -> Iterator[FormBatch[T]]:
        """Yield the records batch by batch while the file is sound; stop yielding at its first problem."""
        head = stream.read(_PROLOG_BYTES)
        root_at = _first_element(head)
        if _DOCTYPE.search(head[: root_at if root_at >= 0 else len(head)]):
            self._add(diagnostic("ACRF-901", _NO_DOCTYPE))
            return
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            self._add(diagnostic("ACRF-157"))
            return
        if (problem := _encoding_problem(head)) is not None:
            self._add(problem)
            return
        first = _first_start(head)
        if first is not None and not self._root_ok(first, self._tag(self.root)):
            return  # a file of another kind is refused from its first bytes, never read whole
        try:
            yield from self._parse(Rewound(head, stream))
        except etree.XMLSyntaxError as exc:
            self._syntax_error(exc, has_element=root_at >= 0)
        self._finish_diagnostics()
        if self.diagnostics and isinstance(stream, Parts):
            wanted = {d.line for d in self.diagnostics if d.line and not d.column}
            if wanted:
                self.diagnostics[:] = with_columns(self.diagnostics, stream.lines(wanted), self._before)

    def _syntax_error(self, exc: etree.XMLSyntaxError, *, has_element: bool) -> None:
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        line, column = exc.position if exc.position != (0, 0) else (None, None)
        code = "ACRF-901" if any(m in message for m in _UNSAFE_MESSAGES) else "ACRF-102"
        template = N_("Not readable as XML: {reason}")
        if message.startswith("no element found"):
            if has_element:  # libxml2 gave up inside the document, e.g. on an undefined entity
                code, template = (
                    "ACRF-102",
                    N_(
                        "Not readable as XML: the document breaks off (an undefined entity or a broken element)."
                    ),
                )
            else:
                code, template = "ACRF-157", N_("The file holds no XML element.")
        self._add(diagnostic(code, template, line=line or None, column=column or None, reason=message))

    def _tag(self, local: str) -> str:
        return f"{{{self.namespace}}}{local}" if self.namespace else local

    def _parse(self, stream: Rewound) -> Iterator[FormBatch[T]]:
        form_tag = self._tag("Form")
        root_tag = self._tag(self.root)
        # Only the ends of Form elements reach Python: a monthly file has some forty elements per
        # Form, and an event for each of them costs more than libxml2's whole parse.
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=form_tag,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        root: etree._Element | None = None
        batch: etree._Element | None = None
        batched = 0  # len() of an lxml element walks its children: count instead
        first_index = 1
        for _, element in events:
            parent = element.getparent()
            if root is None:
                root = element.getroottree().getroot()
                if not self._root_ok(root, root_tag):
                    return
            if parent is not root:
                continue  # a Form nested deeper: the schema check of its batch reports it
            if batch is None:
                batch = etree.Element(root_tag, nsmap=element.nsmap)
            batch.append(element)
            self.forms += 1
            batched += 1
            if batched >= self.batch_size:
                yield from self._close_batch(batch, first_index)
                first_index += batched
                batch, batched = None, 0
        if root is None and not self._root_ok(events.root, root_tag):
            return
        self._check_top_level(events.root, root_tag, form_tag)
        if batch is not None:
            yield from self._close_batch(batch, first_index)
        if self.forms == 0 and not self.diagnostics:
            self._add(diagnostic("ACRF-157"))

    def _root_ok(self, element: etree._Element, root_tag: str) -> bool:
        info = element.getroottree().docinfo
        if info.doctype or info.internalDTD is not None:
            self._add(diagnostic("ACRF-901", _NO_DOCTYPE))
            return False
        if element.tag != root_tag:
            self._add(
                diagnostic(
                    "ACRF-129",
                    N_("The document is {found}, not the {expected} its purpose announces."),
                    line=element.sourceline,
                    path="/" + _local(element.tag),
                    found=f"'{_local(element.tag)}'",
                    expected=f"'{self.root}'",
                )
            )
            return False
        return True

    def _check_top_level(self, root: etree._Element, root_tag: str, form_tag: str) -> None:
        """What is left directly under the root once the Forms are moved out: the root's own shape."""
        stray = etree.Element(root_tag, nsmap=root.nsmap)
        for child in root:
            if child.tag != form_tag:
                stray.append(etree.Element(child.tag))
                self._add(
                    diagnostic(
                        "ACRF-312",
                        N_("Element {element} is not expected here: only Form is."),
                        line=child.sourceline,
                        path=f"/{self.root}/{_local(child.tag)}",
                        element=f"'{_local(child.tag)}'",
                    )
                )
        if root.text and root.text.strip():
            self._add(
                diagnostic(
                    "ACRF-312", N_("Text is not expected directly under the root."), path=f"/{self.root}"
                )
            )

    def _close_batch(self, batch: etree._Element, first_index: int) -> Iterator[FormBatch[T]]:
        schema = self.schema
        if not schema.validate(batch):
            self._second = self._second or SecondPass(self.schema_name)
            flagged = flagged_forms(error.path for error in schema.error_log)
            explained = self._second.explain(batch, flagged, MAX_DIAGNOSTICS - len(self.diagnostics))
            if explained is not None:
                for problem, earlier in explained:
                    self._before[len(self.diagnostics)] = earlier
                    self._add(replace(problem, path=_shift_path(problem.path, self.root, first_index)))
            for error in [] if explained is not None else schema.error_log:
                self._add(
                    diagnostic(
                        "ACRF-312",
                        N_("Not valid against the schema: {reason}"),
                        line=error.line or None,
                        column=error.column or None,
                        path=_shift_path(error.path, self.root, first_index),
                        reason=error.message,
                    )
                )
        if self.diagnostics:
            batch.clear()
            return
        records = [self.to_record(form, first_index + i) for i, form in enumerate(batch)]
        batch.clear()
        yield FormBatch(first_index, records)


def _shift_path(path: str | None, root: str, first_index: int) -> str | None:
    """A batch's `/Root/Form[k]/...` is the file's `/Root/Form[first_index + k - 1]/...`."""
    if not path:
        return None
    path = re.sub(r"\{[^}]*\}", "", path)
    match = re.match(rf"^/(?:\w+:)?{root}/(?:\w+:)?Form(?:\[(\d+)\])?", path)
    if match is None:
        return path
    index = first_index + int(match.group(1) or 1) - 1
    return f"/{root}/Form[{index}]" + path[match.end() :]


def _encoding_problem(head: bytes) -> Diagnostic | None:
    """SPEC 1.1: XML is UTF-8 or ISO-8859-1, as its declaration says; anything else is refused
    before parsing (libxml2 would decode UTF-16 or windows-1252 without a word)."""
    if head.startswith(_UTF16_OR_32) or b"\x00" in head[:4]:
        return diagnostic("ACRF-102", N_("The file is UTF-16 or UTF-32: send UTF-8 or ISO-8859-1."), line=1)
    declared = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf").lstrip())
    if declared and declared[1].decode("ascii").upper() not in _ACCEPTED_ENCODINGS:
        return diagnostic(
            "ACRF-102",
            N_("The encoding {encoding} is not accepted: send UTF-8 or ISO-8859-1."),
            line=1,
            encoding=declared[1].decode("ascii"),
        )
    return None


def _first_start(head: bytes) -> etree._Element | None:
    """The root element as libxml2 reads it from the prolog bytes (hardened like the parse proper),
    or None when they do not hold its whole start tag or are not XML (the parse proper says why)."""
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        parser.feed(head)
        for _, element in parser.read_events():
            return element
    except etree.XMLSyntaxError:
        pass
    return None


def _first_element(head: bytes) -> int:
    """The offset of the root element's `<` in the prolog bytes, or -1 when not within them."""
    for match in re.finditer(rb"<([^?!])", head):
        return match.start()
    return -1
