"""The emailed report's bodies, from a hand-built report: every number is in both, each
chart comes with its table fallback, inline styles only."""

import re

from crm.reports import blocks
from crm.reports.email import render_report_email
from tests.reports.report_samples import sample_report


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_html_has_every_kpi_of_both_tabs_with_the_period_in_et():
    report = sample_report()
    _, html = render_report_email(report, title="Weekly report")

    text = _text_of(html)
    for tile in blocks.leads_tiles(report) + blocks.jobs_tiles(report):
        assert f"{tile.label} {tile.value}" in text
    assert "Nov 30 – Dec 6, 2026 (ET)" in text
    assert "median 12 min" in text
    assert "$18,450.00" in text and "finance-cancelled" in text and "$1,200.00" in text


def test_each_chart_is_svg_followed_by_its_numbers_as_a_table():
    report = sample_report()
    _, html = render_report_email(report, title="Weekly report")

    assert html.count("<svg") == len(blocks.CHARTS)
    # Bar charts fall back to table bars: Leads by Source 17 vs 14 → 100% and 82%.
    assert 'width="100%" bgcolor="#2563eb"' in html and 'width="82%" bgcolor="#2563eb"' in html
    # Daily charts and tables fall back to their numbers, day by day.
    for block_id in ("status_by_day", "jobs_daily", "agents", "speed_by_source", "contractors"):
        _, headers, rows = blocks.table(report, block_id)
        for header in headers:
            assert header in html
        first_row = "".join(
            f">{blocks.cell_text(value)}</td>" for value in rows[0][1:]
        )  # the cells follow each other in the row
        assert re.sub(r"<td[^>]*", "", first_row) in re.sub(r"<td[^>]*", "", html)


def test_styles_are_inline_only():
    _, html = render_report_email(sample_report(), title="Weekly report")

    assert "<style" not in html and "<link" not in html
    assert not re.search(r'<(?!svg)[a-z]+[^>]* class="', html)  # the svg's own class aside
    assert "var(--" not in html


def test_the_plain_text_carries_the_same_numbers():
    report = sample_report()
    text, _ = render_report_email(report, title="Weekly report")

    assert text.startswith("Weekly report\nNov 30 – Dec 6, 2026 (ET)")
    assert "Total Leads: 31" in text and "Avg Response Time: 47 min (median 12 min)" in text
    assert "Dana Reyes: Calls 23, Claims 11, Conversions 6" in text
    assert "Ace Doors: Jobs 9, Done 7, Cancelled 1, Revenue ($) 10,200.00" in text
    assert "Tue Dec 1: Converted 1, Open 3, Irrelevant 1" in text
    assert "&lt;" not in text and "&amp;" not in text


def test_without_jobs_the_email_has_no_jobs_section():
    text, html = render_report_email(sample_report(with_jobs=False), title="Daily report")

    assert "🔧 Jobs" not in html and "JOBS" not in text
    assert html.count("<svg") == len(blocks.LEADS_CHARTS)


def test_a_hostile_source_name_is_escaped_in_the_html_and_plain_in_the_text():
    hostile = "<script>alert(1)</script>"
    text, html = render_report_email(sample_report(source_label=hostile), title="Daily report")

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"{hostile}: 17" in text
