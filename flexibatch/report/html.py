"""HTML building blocks of the report: a page with its inline style, tables, a summary list.

Every text from the state (a file name, a sender's name, a label) is escaped here; numbers are
written as they are. No script, no external asset: a page is whole on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 78em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { padding: .2em .7em; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td { white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content max-content; gap: .2em 1.5em; }
dt { color: #555; } dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.refused { color: #c62828; } .muted { color: #777; }
"""

#: A cell: text (escaped), or a number (right-aligned), or ready-made HTML (`Markup`).
Cell = str | int | float | None


class Markup(str):
    """HTML made here (a link), written into a cell without escaping again."""

    __slots__ = ()


def link(href: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def _cell(value: Cell, tag: str = "td") -> str:
    if value is None:
        return f"<{tag}></{tag}>"
    if isinstance(value, Markup):
        return f"<{tag}>{value}</{tag}>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<{tag} class="n">{value}</{tag}>'
    return f"<{tag}>{escape(str(value))}</{tag}>"


def table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], empty: str) -> str:
    """A table with its header row; `empty` in its place when there is no row."""
    body = ["<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows]
    if not body:
        return f'<p id="{table_id}" class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def summary(items: Sequence[tuple[str, str, Cell]]) -> str:
    """A definition list of (id, term, value), each value findable by its id."""
    rows = "".join(
        f'<dt>{escape(term)}</dt><dd id="{key}">{escape(str(value))}</dd>' for key, term, value in items
    )
    return f"<dl>{rows}</dl>"


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def page(lang: str, title: str, *parts: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )
