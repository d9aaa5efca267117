"""The emailed report: the modal's blocks as a plain-text body and an HTML body with inline
styles only (mail clients drop stylesheets). Each chart is inline SVG followed by its
numbers as an HTML table, the fallback where Gmail and Outlook drop the SVG."""

from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from crm.reports import blocks, charts
from crm.reports.data import Report

CHART_WIDTH = 600
CELL = f"padding:4px 8px;border-bottom:1px solid {charts.BORDER};font-size:13px;"


def table_html(headers: list[str], rows: list[list]) -> SafeString:
    """A block's numbers as an inline-styled table (first column left, numbers right)."""
    head = "".join(
        f'<th align="{"left" if index == 0 else "right"}" style="{CELL}color:{charts.MUTED};'
        f'font-size:11px;text-transform:uppercase;background:{charts.SURFACE_2};">'
        f"{escape(header)}</th>"
        for index, header in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td align="{"left" if index == 0 else "right"}" style="{CELL}color:{charts.TEXT};">'
            f"{escape(blocks.cell_text(value))}</td>"
            for index, value in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    if not rows:
        body = (
            f'<tr><td colspan="{len(headers)}" style="{CELL}color:{charts.MUTED};">'
            "Nothing in this period.</td></tr>"
        )
    return mark_safe(
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        f'style="border-collapse:collapse;font-family:{charts.FONT};">'
        f"<tr>{head}</tr>{body}</table>"
    )


def _section(report: Report, block_id: str) -> dict:
    title, headers, rows = blocks.table(report, block_id)
    section = {"title": title, "svg": "", "numbers": table_html(headers, rows), "text": ""}
    chart = blocks.CHARTS.get(block_id)
    if chart:
        section["title"] = blocks.chart_title(block_id)
        section["svg"] = blocks.chart_svg(report, block_id, width=CHART_WIDTH)
        if chart.kind == "bars":
            bars = blocks.chart_values(report, block_id)
            section["numbers"] = charts.hbars_table_html(bars, colour=chart.colour)
    section["text"] = _text_table(section["title"], headers, rows)
    return section


def _text_table(title: str, headers: list[str], rows: list[list]) -> str:
    lines = [title, "-" * len(title)]
    if not rows:
        lines.append("Nothing in this period.")
    for row in rows:
        cells = [blocks.cell_text(value) for value in row]
        if len(cells) == 2:
            lines.append(f"{cells[0]}: {cells[1]}")
        else:
            pairs = zip(headers[1:], cells[1:], strict=True)
            lines.append(f"{cells[0]}: " + ", ".join(f"{h} {c}" for h, c in pairs))
    return "\n".join(lines)


def _rows_of(tiles: list, size: int) -> list[list]:
    return [tiles[start : start + size] for start in range(0, len(tiles), size)]


def render_report_email(report: Report, *, title: str) -> tuple[str, str]:
    """(plain text, HTML) of the emailed report: KPIs, every chart with its numbers, the
    agent and speed-to-lead tables, and the Jobs section when `report.jobs` is set."""
    leads_tiles = blocks.leads_tiles(report)
    leads_blocks = [block for block in blocks.LEADS_BLOCKS if block != "kpis"]
    jobs_blocks = [block for block in blocks.JOBS_BLOCKS if block != "jobs_kpis"]
    context = {
        "title": title,
        "period": report.period.label,
        "offices": ", ".join(office.name for office in report.offices) or "—",
        "leads_tiles": leads_tiles,
        "leads_tile_rows": _rows_of(leads_tiles, 3),
        "leads_sections": [_section(report, block) for block in leads_blocks],
        "jobs": report.jobs,
        "colours": {
            "text": charts.TEXT,
            "muted": charts.MUTED,
            "border": charts.BORDER,
            "surface": charts.SURFACE_2,
            "blue": charts.BLUE,
        },
        "font": charts.FONT,
    }
    if report.jobs is not None:
        jobs_tiles = blocks.jobs_tiles(report)
        context |= {
            "jobs_tiles": jobs_tiles,
            "jobs_tile_rows": _rows_of(jobs_tiles, 3),
            "jobs_note": blocks.finance_cancelled_note(report),
            "jobs_sections": [_section(report, block) for block in jobs_blocks],
        }
    text = render_to_string("reports/email/report.txt", context)
    html = render_to_string("reports/email/report.html", context)
    return text, html
