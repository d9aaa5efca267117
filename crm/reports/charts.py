"""Server-side SVG charts for the 📊 Reports modal and the emailed report: horizontal bars
and daily bar charts (stacked or side by side), plus an HTML-table fallback of the bars for
mail clients that drop inline SVG (Gmail, Outlook).

Colours are hex values of the design system's tokens (static/css/app.css `:root`): an email
client reads no CSS variables. Every label is escaped here; the callers pass raw text.
"""

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from crm.reports.data import Bar, DayPoint

# static/css/app.css tokens, as hex.
BLUE = "#2563eb"
GREEN = "#16a34a"
RED = "#dc2626"
ORANGE = "#ea580c"
PURPLE = "#7c3aed"
YELLOW = "#ca8a04"
CYAN = "#0891b2"
GRAY = "#64748b"
TEXT = "#0f172a"
MUTED = "#64748b"
BORDER = "#e2e8f0"
SURFACE_2 = "#f8fafc"

FONT = "-apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LABEL_WIDTH = 140  # px of the label column in a bar chart
VALUE_WIDTH = 64  # px kept right of the longest bar for its value
LABEL_CHARS = 22  # a longer label is cut with "…" (the whole of it is in the bar's <title>)

Series = Sequence[tuple[str, str, str]]  # (key in DayPoint.values, label, hex colour)


def number_text(value) -> str:
    """A count as "1,234"; money and fractions as "1,234.50"."""
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _svg(width: int, height: int, title: str, body: str) -> SafeString:
    title = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{title}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">'
        f"<title>{title}</title>{body}</svg>"
    )


def _empty(width: int, title: str) -> SafeString:
    return _svg(
        width,
        ROW_HEIGHT,
        title,
        f'<text x="0" y="15" fill="{MUTED}">Nothing in this period.</text>',
    )


def bar_length(value, largest, room: int) -> int:
    """Pixels of a bar worth `value` when the largest bar fills `room`."""
    if not largest or value <= 0:
        return 0
    return max(1, round(room * float(value) / float(largest)))


def hbars_svg(
    bars: list[Bar], *, width: int = 420, colour: str = BLUE, title: str = ""
) -> SafeString:
    """Horizontal bars, one row per Bar (label left, value right of its bar), longest
    bar = the largest value. Each bar's <title> reads "label: value" for screen readers."""
    title = title or "Bar chart"
    if not bars:
        return _empty(width, title)
    room = width - LABEL_WIDTH - VALUE_WIDTH
    largest = max(bar.value for bar in bars)
    rows = []
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        length = bar_length(bar.value, largest, room)
        label, value = escape(bar.label), number_text(bar.value)
        rows.append(
            f"<g><title>{label}: {value}</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{top + 15}" text-anchor="end" fill="{TEXT}">'
            f"{escape(_cut(bar.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{top + 4}" width="{length}" height="{BAR_HEIGHT}" '
            f'rx="2" fill="{colour}" data-value="{value}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{top + 15}" fill="{MUTED}">{value}</text>'
            "</g>"
        )
    return _svg(width, len(bars) * ROW_HEIGHT, title, "".join(rows))


def _legend(series: Series) -> str:
    parts, left = [], 0
    for _, label, colour in series:
        parts.append(
            f'<rect x="{left}" y="2" width="10" height="10" rx="2" fill="{colour}"/>'
            f'<text x="{left + 14}" y="11" fill="{TEXT}">{escape(label)}</text>'
        )
        left += 14 + 7 * len(label) + 16
    return "".join(parts)


def _nice_ceiling(value: int) -> int:
    """The axis top: `value` rounded up to 1, 2 or 5 × a power of ten (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _columns_svg(
    columns: list[tuple[str, str, dict]],
    series: Series,
    *,
    width: int,
    height: int,
    title: str,
    stacked: bool,
) -> SafeString:
    """Vertical bars, one column per (axis label, tooltip label, values by series key)."""
    if not columns:
        return _empty(width, title)
    legend_h, axis_w, foot_h = 20, 34, 18
    plot_top, plot_h = legend_h + 6, height - legend_h - 6 - foot_h
    plot_w = width - axis_w
    keys = [key for key, _, _ in series]
    if stacked:
        largest = max(sum(values.get(key, 0) for key in keys) for _, _, values in columns)
    else:
        largest = max(values.get(key, 0) for _, _, values in columns for key in keys)
    top_value = _nice_ceiling(largest)
    column = plot_w / len(columns)
    bar_w = min(28.0, max(1.0, column * 0.72))  # a short period's bars stay bars
    parts = [_legend(series)]
    for tick in (0, top_value // 2 if top_value > 1 else 0, top_value):
        y = plot_top + plot_h - plot_h * tick / top_value
        parts.append(
            f'<line x1="{axis_w}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="{BORDER}"/>'
            f'<text x="{axis_w - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}" '
            f'font-size="10">{tick:,}</text>'
        )
    label_every = max(1, -(-len(columns) // 10))  # at most ~10 labels under the axis
    for index, (axis_label, tooltip, values) in enumerate(columns):
        left = axis_w + index * column + (column - bar_w) / 2
        base = plot_top + plot_h
        for position, (key, label, colour) in enumerate(series):
            count = values.get(key, 0)
            if not count:
                continue
            bar_h = plot_h * count / top_value
            if stacked:
                x, w, base = left, bar_w, base - bar_h
                y = base
            else:
                w = bar_w / len(series)
                x, y = left + position * w, plot_top + plot_h - bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}" '
                f'fill="{colour}" data-column="{escape(axis_label)}" data-series="{escape(key)}">'
                f"<title>{escape(tooltip)}: {escape(label)} {count:,}</title></rect>"
            )
        if index % label_every == 0:
            centre = axis_w + index * column + column / 2
            parts.append(
                f'<text x="{centre:.1f}" y="{height - 4}" text-anchor="middle" fill="{MUTED}" '
                f'font-size="10">{escape(axis_label)}</text>'
            )
    return _svg(width, height, title, "".join(parts))


def stacked_days_svg(
    points: list[DayPoint],
    series: Series,
    *,
    width: int = 640,
    height: int = 160,
    title: str = "",
    stacked: bool = True,
) -> SafeString:
    """One column per day, the series stacked bottom-up in `series` order; the axis tops
    out at a round number over the busiest day. `stacked=False` sets them side by side,
    for series that are not parts of a whole (call attempts vs conversions)."""
    title = title or "Daily chart"
    columns = [(f"{p.day:%b} {p.day.day}", f"{p.day:%a %b} {p.day.day}", p.values) for p in points]
    return _columns_svg(columns, series, width=width, height=height, title=title, stacked=stacked)


def grouped_columns_svg(
    columns: list[tuple[str, dict]],
    series: Series,
    *,
    width: int = 640,
    height: int = 160,
    title: str = "",
) -> SafeString:
    """Side-by-side bars per labelled column ("1st call": {"total": 9, "converted": 3})."""
    columns = [(label, label, values) for label, values in columns]
    title = title or "Bar chart"
    return _columns_svg(columns, series, width=width, height=height, title=title, stacked=False)


def hbars_table_html(bars: list[Bar], *, colour: str = BLUE) -> SafeString:
    """The same bars as an HTML table with inline styles: what an email shows where the
    client dropped the SVG. The bar is a cell whose width is the value's share of the
    largest (a table cell, not a div: Outlook ignores a div's width)."""
    cell = f"padding:3px 8px;font-size:13px;color:{TEXT};border-bottom:1px solid {BORDER};"
    if not bars:
        return format_html('<p style="color:{};font-size:13px;">Nothing in this period.</p>', MUTED)
    largest = max(bar.value for bar in bars)
    rows = []
    for bar in bars:
        percent = bar_length(bar.value, largest, 100)
        filled = (
            f'<td width="{percent}%" bgcolor="{colour}" style="background:{colour};height:12px;'
            f'font-size:1px;line-height:1px;">&nbsp;</td>'
            if percent
            else ""
        )
        rest = (
            f'<td width="{100 - percent}%" style="font-size:1px;line-height:1px;">&nbsp;</td>'
            if percent < 100
            else ""
        )
        rows.append(
            f'<tr><td style="{cell}white-space:nowrap;">{escape(bar.label)}</td>'
            f'<td width="60%" style="{cell}"><table role="presentation" width="100%" '
            f'cellpadding="0" cellspacing="0" style="border-collapse:collapse;"><tr>'
            f"{filled}{rest}</tr></table></td>"
            f'<td align="right" style="{cell}white-space:nowrap;">{number_text(bar.value)}</td>'
            "</tr>"
        )
    return mark_safe(
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        f'style="border-collapse:collapse;font-family:{FONT};">{"".join(rows)}</table>'
    )
