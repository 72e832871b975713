"""An anomaly's place in the submission, in the format that carried it: the Path its reader's locator
gives its logical field, and what a `{where}` of its label names there (SPEC 5: a CSV anomaly names
the column, an XML one the element)."""

from __future__ import annotations

from collections.abc import Callable

from flexibatch.domain.anomalies import Anomaly, sentence
from flexibatch.i18n import Translate

#: Turns a logical field path and a form index into the answer's Path (XPath or CSV column).
Locator = Callable[[str, int], str]


def _where(a: Anomaly, locate: Locator, form_index: int) -> str:
    """The element or column a label's `{where}` names: the last step of its field's Path."""
    field = dict(a.args).get("where") or a.field or ""
    return locate(field, form_index).rsplit("/", 1)[-1].split("[", 1)[0] if field else ""


def label(a: Anomaly, locate: Locator, form_index: int, translate: Translate) -> str:
    """The anomaly's label in the translator's language, a `{where}` in it filled in."""
    if "{where}" not in a.label:
        return a.text(translate)
    args = (*[arg for arg in a.args if arg[0] != "where"], ("where", _where(a, locate, form_index)))
    return sentence(a.label, args, translate)
