"""The report's SVG charts and the email's table fallback: bar lengths, labels, escaping."""

import datetime
import re
from decimal import Decimal

from crm.reports import blocks, charts
from crm.reports.data import Bar, DayPoint
from tests.reports.report_samples import sample_report


def _rect_widths(svg: str) -> list[int]:
    return [int(width) for width in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]


def test_the_largest_bar_fills_the_room_and_the_others_are_in_proportion():
    svg = charts.hbars_svg([Bar("Angi", 10), Bar("Yelp", 5), Bar("Thumbtack", 0)], width=420)

    room = 420 - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert _rect_widths(svg) == [room, room // 2, 0]
    assert ">Angi</text>" in svg and ">Yelp</text>" in svg and ">Thumbtack</text>" in svg
    assert "<title>Yelp: 5</title>" in svg


def test_a_bar_chart_has_an_accessible_title_and_a_row_per_bar():
    svg = charts.hbars_svg([Bar("Fresh", 3), Bar("Converted", 2)], title="Leads by Status")

    assert 'role="img"' in svg and 'aria-label="Leads by Status"' in svg
    assert svg.count("<g>") == 2
    assert f'height="{2 * charts.ROW_HEIGHT}"' in svg


def test_money_bars_show_cents_and_a_long_label_is_cut_with_its_whole_text_in_the_title():
    label = "A very long lead source name indeed"
    svg = charts.hbars_svg([Bar(label, Decimal("1234.5"))])

    assert ">1,234.50</text>" in svg
    assert f"<title>{label}: 1,234.50</title>" in svg
    assert ">A very long lead sour…</text>" in svg


def test_labels_are_escaped_so_a_source_named_script_stays_text():
    hostile = '<script>alert("x")</script>'
    svg = charts.hbars_svg([Bar(hostile, 2)], title=hostile)
    table = charts.hbars_table_html([Bar(hostile, 2)])

    for drawn in (svg, table):
        assert "<script>" not in drawn
        assert "&lt;script&gt;" in drawn


def test_no_bars_says_so_instead_of_drawing_an_empty_box():
    assert "Nothing in this period." in charts.hbars_svg([])
    assert "Nothing in this period." in charts.hbars_table_html([])


def test_stacked_days_put_each_series_on_top_of_the_last_in_order():
    day = datetime.date(2026, 12, 1)
    series = [("converted", "Converted", charts.GREEN), ("open", "Open", charts.BLUE)]
    svg = charts.stacked_days_svg([DayPoint(day, {"converted": 2, "open": 3})], series)

    rects = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', svg)
    # Legend squares first (height 10), then the day's two segments.
    (converted_y, converted_h), (open_y, open_h) = [
        (float(y), float(h)) for y, h in rects if h != "10"
    ]
    assert round(converted_h / open_h, 3) == round(2 / 3, 3)
    assert round(open_y + open_h, 1) == converted_y  # open sits on converted
    assert "<title>Tue Dec 1: Converted 2</title>" in svg
    assert "<title>Tue Dec 1: Open 3</title>" in svg
    assert ">Dec 1</text>" in svg


def test_the_axis_tops_out_at_a_round_number_over_the_busiest_day():
    days = [DayPoint(datetime.date(2026, 12, n), {"a": n * 7}) for n in range(1, 4)]
    svg = charts.stacked_days_svg(days, [("a", "A", charts.BLUE)])

    assert 'font-size="10">50</text>' in svg  # busiest day 21, axis to 50


def test_a_month_of_days_labels_only_some_days_under_the_axis():
    first = datetime.date(2026, 12, 1)
    days = [DayPoint(first + datetime.timedelta(days=n), {"a": 1}) for n in range(31)]
    svg = charts.stacked_days_svg(days, [("a", "A", charts.BLUE)])

    assert svg.count('data-series="a"') == 31
    assert len(re.findall(r'text-anchor="middle"[^>]*>Dec \d+</text>', svg)) <= 11


def test_grouped_days_draw_series_side_by_side_from_the_same_baseline():
    day = datetime.date(2026, 12, 1)
    series = [("attempts", "Call attempts", charts.BLUE), ("conversions", "Conv", charts.GREEN)]
    points = [DayPoint(day, {"attempts": 4, "conversions": 2})]
    svg = charts.stacked_days_svg(points, series, stacked=False)

    bars = re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="#', svg
    )
    (x1, y1, w1, h1), (x2, y2, w2, h2) = [tuple(map(float, bar)) for bar in bars[-2:]]
    assert x2 == round(x1 + w1, 1)
    assert round(y1 + h1, 1) == round(y2 + h2, 1)
    assert h1 == 2 * h2


def test_the_table_fallback_sizes_each_bar_cell_as_a_share_of_the_largest():
    table = charts.hbars_table_html([Bar("Angi", 8), Bar("Yelp", 2)], colour=charts.GREEN)

    assert 'width="100%" bgcolor="#16a34a"' in table
    assert 'width="25%" bgcolor="#16a34a"' in table
    assert "<svg" not in table and "class=" not in table


def test_every_chart_block_of_a_report_draws():
    report = sample_report()

    for block_id in blocks.CHARTS:
        svg = blocks.chart_svg(report, block_id, width=600)
        assert svg.startswith("<svg") and blocks.TITLES[block_id] in svg
    assert "(ET)" in blocks.chart_svg(report, "status_by_day", width=600)
    assert "1st call" in blocks.chart_svg(report, "by_attempt", width=600)
