"""Every word of the report, in one place, through a gettext-style translator (English by default).

Each text is written once here as `_("...")` with named placeholders, so a catalogue holds it and
every language fills the same values in; the ErrorIDs' labels come from the domain's catalogue,
through the same translator.
"""

from __future__ import annotations

from dataclasses import dataclass

from flexibatch.domain.anomalies import DECLARATION_CODES, FILE_CODES
from flexibatch.i18n import Translate


class _Unfilled(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


def english(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Words:
    """The report's words in one language; `label(code)` an ErrorID's label in it."""

    translate: Translate
    title: str
    period: str  # {since} {until}
    generated: str  # {at}
    summary: str
    submissions: str
    submissions_accepted: str
    submissions_refused: str
    declarations: str
    accepted: str
    with_warning: str
    refused: str
    per_day: str
    day: str
    file_errors: str
    declaration_errors: str
    error_id: str
    error_class: str
    blocking: str
    warning: str
    meaning: str
    files: str
    top_employers: str
    top_senders: str
    employer: str
    sender: str
    name: str
    unknown: str
    no_employer: str
    over_ceiling: str
    worker: str
    year: str
    environment: str
    income: str
    ceiling: str
    excess: str
    received: str
    file: str
    folder: str
    purpose: str
    outcome: str
    ticket: str
    answers: str
    back: str
    nothing: str
    chart_per_day: str
    chart_errors: str
    outcomes: dict[str, str]

    def label(self, code: str) -> str:
        """An ErrorID's label in this language; a placeholder a single anomaly fills (the column a
        `{where}` names) is shown as an ellipsis, since one label stands for every file here."""
        template = DECLARATION_CODES[code][1] if code in DECLARATION_CODES else FILE_CODES.get(code, code)
        return self.translate(template).format_map(_Unfilled())


def words(_: Translate = english) -> Words:
    """The report's words through `_` (gettext's `gettext`, or `flexibatch.i18n.translator(lang)`)."""
    return Words(
        translate=_,
        title=_("flexibatch report"),
        period=_("Submissions received from {since} to {until}"),
        generated=_("Made on {at}"),
        summary=_("Summary"),
        submissions=_("Submissions"),
        submissions_accepted=_("Submissions accepted"),
        submissions_refused=_("Submissions refused whole"),
        declarations=_("Declarations"),
        accepted=_("Accepted"),
        with_warning=_("Accepted with a warning"),
        refused=_("Refused"),
        per_day=_("Declarations by result per day"),
        day=_("Day"),
        file_errors=_("Files refused, by ErrorID"),
        declaration_errors=_("Refusals and warnings of declarations, by ErrorID"),
        error_id=_("ErrorID"),
        error_class=_("Class"),
        blocking=_("refusal"),
        warning=_("warning"),
        meaning=_("Meaning"),
        files=_("Files"),
        top_employers=_("Employers with the most refused declarations"),
        top_senders=_("Senders with the most refusals"),
        employer=_("Employer"),
        sender=_("Sender"),
        name=_("Name"),
        unknown=_("(not in the reference data)"),
        no_employer=_("(no employer given)"),
        over_ceiling=_("Workers over the tax-free ceiling"),
        worker=_("Worker (INSZ)"),
        year=_("Year"),
        environment=_("Environment"),
        income=_("Flexi income (EUR)"),
        ceiling=_("Ceiling (EUR)"),
        excess=_("Over by (EUR)"),
        received=_("Received"),
        file=_("File"),
        folder=_("Folder"),
        purpose=_("Purpose"),
        outcome=_("Outcome"),
        ticket=_("File ticket"),
        answers=_("Answers"),
        back=_("Back to the report"),
        nothing=_("None in this period."),
        chart_per_day=_("Declarations per day: accepted, accepted with a warning, refused"),
        chart_errors=_("Declarations per ErrorID"),
        outcomes={"ACCEPTED": _("accepted"), "REFUSED": _("refused")},
    )
