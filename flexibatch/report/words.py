"""Every word of the report, in one place, through a gettext-style translator (English by default).

Each text is written once here as `_("...")` with named placeholders, so a catalogue holds it and
every language fills the same values in; the ErrorIDs' labels come from the domain's catalogue,
through the same translator.
"""

from __future__ import annotations

from dataclasses import dataclass

from flexibatch.domain.anomalies import DECLARATION_CODES, FILE_CODES, N_, code_label
from flexibatch.i18n import Translate


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
    employers: str
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
    back: str
    nothing: str
    chart_per_day: str
    chart_errors: str
    outcomes: dict[str, str]

    def label(self, code: str) -> str:
        """An ErrorID's label in this language (a code the catalogue no longer holds: the code)."""
        return code_label(code, self.translate) if code in DECLARATION_CODES or code in FILE_CODES else code


def words(_: Translate = english) -> Words:
    """The report's words through `_` (gettext's `gettext`, or `flexibatch.i18n.translator(lang)`)."""
    return Words(
        translate=_,
        title=_(N_("flexibatch report")),
        period=_(N_("Submissions received from {since} to {until}")),
        generated=_(N_("Made on {at}")),
        summary=_(N_("Summary")),
        submissions=_(N_("Submissions")),
        submissions_accepted=_(N_("Submissions accepted")),
        submissions_refused=_(N_("Submissions refused whole")),
        declarations=_(N_("Declarations")),
        accepted=_(N_("Accepted")),
        with_warning=_(N_("Accepted with a warning")),
        refused=_(N_("Refused")),
        per_day=_(N_("Declarations by result per day")),
        day=_(N_("Day")),
        file_errors=_(N_("Files refused, by ErrorID")),
        declaration_errors=_(N_("Refusals and warnings of declarations, by ErrorID")),
        error_id=_(N_("ErrorID")),
        error_class=_(N_("Class")),
        blocking=_(N_("refusal")),
        warning=_(N_("warning")),
        meaning=_(N_("Meaning")),
        files=_(N_("Files")),
        top_employers=_(N_("Employers with the most refused declarations")),
        top_senders=_(N_("Senders with the most refusals")),
        employer=_(N_("Employer")),
        employers=_(N_("Employers")),
        sender=_(N_("Sender")),
        name=_(N_("Name")),
        unknown=_(N_("(not in the reference data)")),
        no_employer=_(N_("(no employer given)")),
        over_ceiling=_(N_("Workers over the tax-free ceiling")),
        worker=_(N_("Worker (INSZ)")),
        year=_(N_("Year")),
        environment=_(N_("Environment")),
        income=_(N_("Flexi income (EUR)")),
        ceiling=_(N_("Ceiling (EUR)")),
        excess=_(N_("Over by (EUR)")),
        received=_(N_("Received")),
        file=_(N_("File")),
        folder=_(N_("Folder")),
        purpose=_(N_("Purpose")),
        outcome=_(N_("Outcome")),
        ticket=_(N_("File ticket")),
        back=_(N_("Back to the report")),
        nothing=_(N_("None in this period.")),
        chart_per_day=_(N_("Declarations per day: accepted, accepted with a warning, refused")),
        chart_errors=_(N_("Declarations per ErrorID")),
        outcomes={"ACCEPTED": _(N_("accepted")), "REFUSED": _(N_("refused"))},
    )
