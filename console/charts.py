"""Bar charts per week as inline SVG: no script, no file to load, nothing the CSP has to allow.

Colours and sizes are SVG presentation attributes (fill, width...), never `style`: the console's
Content-Security-Policy allows no inline style. Every text is escaped. The figure scales with
its box (viewBox, width 100%), so a chart fits a 360 px phone as well as a desktop. Each bar has
a <title> (its week and values): browsers show it on hover, screen readers read it.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional, Sequence, Tuple

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 28, 34
PALETTE = ("#1f6feb", "#b3261e", "#c25e00", "#19703a", "#6b7785", "#8250df")
Series = Tuple[str, Sequence[Optional[float]], str]   # (name, one value per week, colour)


def weekly_bars(title: str, weeks: Sequence[dt.date], series: Sequence[Series], unit: str = "") -> Markup:
    """Stacked bars, one per week (oldest left); a value of None is drawn as nothing."""
    totals = [sum(values[i] or 0 for _, values, _ in series) for i in range(len(weeks))]
    top = max(totals, default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(weeks), 1)
    bar = max(2.0, step * 0.7)
    parts: List[str] = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#8a939c"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12" fill="#3c4650">'
        f"{escape(_number(top))}{escape(unit)}</text>",
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="12" fill="#3c4650">0</text>',
    ]
    for i, week in enumerate(weeks):
        x = LEFT + i * step + (step - bar) / 2
        y = float(TOP + plot_h)
        label = [f"week of {week:%Y-%m-%d}"]
        for name, values, colour in series:
            value = values[i]
            label.append(f"{name}: {'-' if value is None else _number(value)}{unit}")
            height = (value or 0) / top * plot_h
            if height > 0:
                y -= height
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{colour}">'
                             f"<title>{escape(', '.join(label))}</title></rect>")
        if len(weeks) <= 13 or i % max(1, len(weeks) // 8) == 0 or i == len(weeks) - 1:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
                         f'fill="#3c4650">{week:%m-%d}</text>')
    x = LEFT
    for name, _, colour in series:  # the legend, along the top
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12" fill="#1d2327">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:.1f}"
