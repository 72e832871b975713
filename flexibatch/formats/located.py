"""An anomaly with its place in the submission: the Path its format gives it, and what a `{where}`
of its label names there (SPEC 5: a CSV anomaly names the column, an XML one the element)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flexibatch.domain.anomalies import Anomaly, sentence
from flexibatch.i18n import Translate


@dataclass(unsafe_hash=True)
class LocatedAnomaly:
    anomaly: Anomaly
    path: str | None
    where: str | None = None  # what a `{where}` of the label names, in the submission's format

    def text(self, translate: Translate) -> str:
        """The label in the translator's language, its `{where}` filled in."""
        a = self.anomaly
        if self.where is None:
            return a.text(translate)
        return sentence(
            a.label, (*[arg for arg in a.args if arg[0] != "where"], ("where", self.where)), translate
        )


#: Turns a logical field path and a form index into the answer's Path (XPath or CSV column).
Locator = Callable[[str, int], str]


def _where(a: Anomaly, locate: Locator, form_index: int) -> str | None:
    """The element or column a label's `{where}` names: the last step of its field's Path."""
    if "{where}" not in a.label:
        return None
    field = dict(a.args).get("where") or a.field or ""
    return locate(field, form_index).rsplit("/", 1)[-1].split("[", 1)[0] if field else ""


def located(anomalies: Iterable[Anomaly], locate: Locator, form_index: int) -> tuple[LocatedAnomaly, ...]:
    """The anomalies of one declaration with the Path the format that carried it gives them."""
    return tuple(
        LocatedAnomaly(a, locate(a.field, form_index) if a.field else None, _where(a, locate, form_index))
        for a in anomalies
    )
