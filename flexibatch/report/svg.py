"""Two charts drawn as inline SVG: stacked bars per day, and horizontal bars per item.

No library and no script: the page opens as it is, anywhere, with no fetch. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: The results' colours, in the order accepted, accepted with a warning, refused.
COLOURS = ("#2e7d32", "#f9a825", "#c62828")
_HEIGHT = 180
_TOP = 20
_BOTTOM = 40


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def stacked_days(
    title: str, days: Sequence[str], series: Sequence[Sequence[int]], names: Sequence[str]
) -> str:
    """One bar per day, its `series` stacked from the bottom (one value per day each), with a legend."""
    bar, gap, left = 18, 4, 56
    width = left + len(days) * (bar + gap) + 10
    peak = max([sum(values) for values in zip(*series, strict=True)] + [1])
    scale = _HEIGHT / peak
    base = _TOP + _HEIGHT
    body = [
        f'<line x1="{left - 4}" y1="{base}" x2="{width}" y2="{base}" stroke="#555"/>',
        f'<text x="{left - 8}" y="{_TOP + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 8}" y="{base}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, day in enumerate(days):
        x = left + i * (bar + gap)
        y = float(base)
        for colour, values, name in zip(COLOURS, series, names, strict=False):
            height = values[i] * scale
            y -= height
            if values[i]:
                body.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{height:.1f}" fill="{colour}">'
                    f"<title>{escape(day)}: {values[i]} {escape(name)}</title></rect>"
                )
        body.append(
            f'<text x="{x + bar / 2}" y="{base + 14}" text-anchor="middle" font-size="10">{escape(day[-2:])}</text>'
        )
    x = left
    for colour, name in zip(COLOURS, names, strict=False):
        body.append(f'<rect x="{x}" y="{base + 24}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{x + 14}" y="{base + 33}" font-size="11">{escape(name)}</text>')
        x += 34 + 7 * len(name)  # an 11 px sans-serif letter is narrower than 7 px
    return _svg(max(width, x), base + _BOTTOM, title, body)


def horizontal_bars(title: str, items: Sequence[tuple[str, int, str]]) -> str:
    """One bar per (label, value, colour), longest first as given, the value written after it."""
    row, left, length = 20, 90, 360
    peak = max([value for _, value, _ in items] or [1]) or 1
    body = []
    for i, (label, value, colour) in enumerate(items):
        y = 6 + i * row
        width = value * length / peak
        body.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-size="11">{escape(label)}</text>'
        )
        body.append(f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{row - 6}" fill="{colour}"/>')
        body.append(f'<text x="{left + width + 4:.1f}" y="{y + 12}" font-size="11">{value}</text>')
    return _svg(left + length + 80, 12 + len(items) * row, title, body)
