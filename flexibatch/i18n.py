"""The languages of the answers and of the printing commands (SPEC 9, 10): nl, fr, de and en.

The English text in the code is the source (gettext's msgid); `flexibatch/locale/<lang>/LC_MESSAGES/
flexibatch.po` holds its Dutch, French and German wording. A wheel ships the catalogues compiled to
`.mo` (setup.py, with Babel at build time) and reads those; a checkout or an editable install,
which has none, reads the `.po`, so an edit to a catalogue is what runs next.

A sentence with values is a template with named placeholders (`Row {row}: ...`) and its arguments,
translated first and filled in after, so the values (a sender's cell, a date) are never translated
and every language has the same placeholders (tests/unit/test_i18n.py).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Final, Literal, TypeGuard, get_args

#: The languages of SPEC 9, in the order an operator reads them in Belgium; en is the source text.
Language = Literal["nl", "fr", "de", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
SOURCE: Final[Language] = "en"
DOMAIN: Final = "flexibatch"
LOCALE_DIR: Final = Path(__file__).parent / "locale"

#: Turns a source sentence (a template) into the chosen language's.
Translate = Callable[[str], str]


def english(text: str) -> str:
    """The translator of the source language: every sentence as the code says it."""
    return text


def is_language(value: str | None) -> TypeGuard[Language]:
    return value in LANGUAGES


def catalogue(language: Language) -> Translate:
    """A language's catalogue: the compiled `.mo` when installed (stdlib gettext reads it), else the
    `.po` (Babel reads it, imported only then: it costs a command's start-up 40 ms)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = folder / f"{DOMAIN}.mo"
    if compiled.is_file():
        with compiled.open("rb") as handle:
            return gettext.GNUTranslations(handle).gettext
    from babel.messages.pofile import read_po  # noqa: PLC0415 - see above

    with (folder / f"{DOMAIN}.po").open("rb") as handle:
        found = {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string and not m.fuzzy}

    def translate(text: str) -> str:
        return found.get(text, text)

    return translate


@cache
def translator(language: str | None) -> Translate:
    """The translation of source sentences into `language` (en, or a language not known: unchanged).
    A sentence the catalogue lacks stays English rather than failing an answer."""
    if language == SOURCE or not is_language(language):
        return english
    return catalogue(language)


def render(translate: Translate, template: str, **values: object) -> str:
    """A source sentence in the translator's language, its named placeholders filled with `values`
    (`render(_, "{count} submissions", count=3)`); mark the template with `N_` where it is written."""
    text = translate(template)
    return text.format_map(values) if values else text


def sender_language(languages: Mapping[str, str], sender: str | None, default: str) -> Language:
    """SPEC 9: the language of a sender's answers: theirs in senders.csv, else `default_language`
    (also for an unknown sender or a foreign file name)."""
    chosen = languages.get(sender or "") or default
    return chosen if is_language(chosen) else SOURCE


def printing_language(lang: str | None, default: str) -> Language:
    """SPEC 10: the language of `status`, `worker`, `employer` and `report`: `--lang` (FLEXIBATCH_LANG),
    else `default_language`."""
    chosen = lang or default
    return chosen if is_language(chosen) else SOURCE
