"""Every sentence an answer can carry exists in nl, fr and de with the same placeholders (SPEC 9)."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import flexibatch
from flexibatch.domain.anomalies import DECLARATION_CODES, FILE_CODES, anomaly, code_label, diagnostic
from flexibatch.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    SOURCE,
    printing_language,
    sender_language,
    translator,
)

PACKAGE = Path(flexibatch.__file__).resolve().parent
SOURCES = Path(__file__).resolve().parents[2] / "flexibatch"


@cache
def _source_sentences() -> set[str]:
    """The English source: every sentence marked N_ in the code, and the catalogue of ErrorIDs."""
    marked = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(SOURCES), method_map=[("**.py", "python")], keywords={"N_": None}
        )
    }
    return marked | {label for _, label in DECLARATION_CODES.values()} | set(FILE_CODES.values())


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _catalogue(language: str) -> dict[str, str]:
    with (SOURCES / "locale" / language / "LC_MESSAGES" / "flexibatch.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


TRANSLATED = [language for language in LANGUAGES if language != SOURCE]


def test_the_source_holds_sentences_to_translate() -> None:
    assert len(_source_sentences()) > 100  # the catalogue and the readers' messages, not an empty scan


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_sentence_is_translated_with_the_same_placeholders(language: str) -> None:
    catalogue = _catalogue(language)
    missing = sorted(s for s in _source_sentences() if not catalogue.get(s))
    assert missing == [], f"not translated into {language}"
    differ = {s: catalogue[s] for s in _source_sentences() if _placeholders(s) != _placeholders(catalogue[s])}
    assert differ == {}, f"placeholders differ in {language}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_holds_no_sentence_the_code_no_longer_says(language: str) -> None:
    assert sorted(set(_catalogue(language)) - _source_sentences()) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translated_sentence_is_not_left_english(language: str) -> None:
    """A single word may be the same in both languages (test, total, production); a sentence is not."""
    english = sorted(s for s, t in _catalogue(language).items() if s == t and " " in s)
    assert english == []


def test_labels_and_messages_fill_their_values_in_the_chosen_language() -> None:
    found = anomaly("90000-102", "amount", "1.234", "Row {row}: x", row=7)
    assert found.text() == "Row 7: x"
    unreadable = diagnostic("ACRF-190", "Sender {sender} is unknown.", sender="999999")
    assert unreadable.text(translator("nl")) == "Afzender 999999 is onbekend."
    assert unreadable.text(translator("fr")) == "L'expéditeur 999999 est inconnu."
    assert unreadable.text(translator("de")) == "Der Absender 999999 ist unbekannt."
    assert unreadable.text(translator("en")) == "Sender 999999 is unknown."


def test_an_error_id_has_its_catalogue_label_in_each_language() -> None:
    assert (
        code_label("90373-460", translator("nl"))
        == "Laattijdige aangifte: ontvangen na het begin van de arbeidsprestaties."
    )
    assert code_label("ACRF-190", translator("fr")) == "L'expéditeur est inconnu."
    assert "(BonusPaymentFrequency, frequency)" in code_label("95031-001", translator("de"))


def test_a_language_not_known_answers_in_english() -> None:
    assert translator("xx")("The sender is unknown.") == "The sender is unknown."


def test_the_sender_language_falls_back_to_the_setting_then_english() -> None:
    languages = {"123456": "fr"}
    assert sender_language(languages, "123456", "nl") == "fr"
    assert sender_language(languages, "654321", "nl") == "nl"
    assert sender_language(languages, None, "de") == "de"
    assert printing_language(None, "de") == "de"
    assert printing_language("nl", "de") == "nl"


def test_an_installed_package_ships_each_catalogue_compiled() -> None:
    """A wheel carries the .mo files setup.py compiles; the checkout has only the .po sources."""
    if PACKAGE == SOURCES:
        pytest.skip("the checkout's own sources run here (an editable install)")
    assert LOCALE_DIR == PACKAGE / "locale"
    compiled = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/flexibatch.mo"))
    assert compiled == sorted(TRANSLATED)
