"""The blocks of a report, each by its id: its title, its numbers as a table (the modal's
"Show numbers", the .xlsx download, the email's fallback) and, for a chart, its SVG.

The modal and the email draw the same blocks from here, so the two cannot disagree.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.safestring import SafeString

from crm.reports import charts
from crm.reports.data import Bar, DayPoint, Report

DAY = "Day (ET)"

LEADS_BLOCKS = (
    "kpis",
    "by_status",
    "by_source",
    "by_office",
    "status_by_day",
    "bookback_by_day",
    "followup_by_day",
    "by_attempt",
    "agents",
    "speed_by_source",
    "speed_by_agent",
)
JOBS_BLOCKS = (
    "jobs_kpis",
    "jobs_by_status",
    "jobs_by_office",
    "jobs_by_type",
    "jobs_by_source",
    "jobs_daily",
    "contractors",
)


class UnknownBlock(LookupError):
    """No such block in this report (a wrong id, or a Jobs block of a report without Jobs)."""


@dataclass(frozen=True)
class Chart:
    block_id: str
    kind: str  # "bars" | "stacked" | "grouped" (days) | "attempts"
    source: str  # the LeadsReport / JobsReport attribute holding the bars, days or rows
    series: tuple[tuple[str, str, str], ...] = ()  # day charts: (key, label, colour)
    colour: str = charts.BLUE  # bar charts

    @property
    def is_daily(self) -> bool:
        return self.kind in ("stacked", "grouped")


STATUS_SERIES = (
    ("converted", "Converted", charts.GREEN),
    ("open", "Open", charts.BLUE),
    ("irrelevant", "Irrelevant", charts.GRAY),
)
BOOKBACK_SERIES = (
    ("detected", "Detected", charts.PURPLE),
    ("reactivated", "Reactivated", charts.BLUE),
    ("converted", "Converted", charts.GREEN),
)
FOLLOWUP_SERIES = (
    ("attempts", "Call attempts", charts.BLUE),
    ("conversions", "Same-day conversions", charts.GREEN),
)
ATTEMPT_SERIES = (("total", "Leads", charts.BLUE), ("converted", "Converted", charts.GREEN))
JOBS_DAILY_SERIES = (
    ("done", "Done", charts.GREEN),
    ("open", "Open", charts.BLUE),
    ("cancelled", "Cancelled", charts.RED),
)

LEADS_CHARTS = (
    Chart("by_status", "bars", "by_status"),
    Chart("by_source", "bars", "by_source"),
    Chart("by_office", "bars", "by_office", colour=charts.CYAN),
    Chart("by_attempt", "attempts", "by_attempt", ATTEMPT_SERIES),
    Chart("status_by_day", "stacked", "status_by_day", STATUS_SERIES),
    Chart("bookback_by_day", "grouped", "bookback_by_day", BOOKBACK_SERIES),
    Chart("followup_by_day", "grouped", "followup_by_day", FOLLOWUP_SERIES),
)
JOBS_CHARTS = (
    Chart("jobs_by_status", "bars", "by_status", colour=charts.PURPLE),
    Chart("jobs_by_office", "bars", "by_office", colour=charts.CYAN),
    Chart("jobs_by_type", "bars", "by_type", colour=charts.PURPLE),
    Chart("jobs_by_source", "bars", "by_source", colour=charts.PURPLE),
    Chart("jobs_daily", "stacked", "daily", JOBS_DAILY_SERIES),
)
CHARTS = {chart.block_id: chart for chart in LEADS_CHARTS + JOBS_CHARTS}

TITLES = {
    "kpis": "Leads KPIs",
    "by_status": "Leads by Status",
    "by_source": "Leads by Source",
    "by_office": "Leads by Office",
    "status_by_day": "Lead status by day",
    "bookback_by_day": "BookBack AI — daily performance",
    "followup_by_day": "Follow-up activity",
    "by_attempt": "Conversion efficiency by attempt #",
    "agents": "Agent performance",
    "speed_by_source": "Speed to lead by source",
    "speed_by_agent": "Speed to lead by agent",
    "jobs_kpis": "Jobs KPIs",
    "jobs_by_status": "Jobs by Status",
    "jobs_by_office": "Jobs by Office",
    "jobs_by_type": "Jobs by Type",
    "jobs_by_source": "Jobs by Source",
    "jobs_daily": "Daily jobs created",
    "contractors": "Top contractors",
}


def minutes_text(minutes: float | None) -> str:
    """A response time as a person reads it: "—", "42 min", "3 h 05 min", "2 d 4 h"."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h {rest:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def money_text(value: Decimal) -> str:
    return f"${value:,.2f}"


def attempt_label(attempt: int) -> str:
    """0 → "Not called", 1 → "1st call", 2 → "2nd call", 11 → "11th call"."""
    if attempt == 0:
        return "Not called"
    suffix = "th" if 10 <= attempt % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(attempt % 10)
    return f"{attempt}{suffix or 'th'} call"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _bar_rows(bars: list[Bar]) -> list[list]:
    return [[bar.label, bar.value] for bar in bars]


def _day_rows(points: list[DayPoint], series) -> list[list]:
    return [[point.day] + [point.values.get(key, 0) for key, _, _ in series] for point in points]


def _leads_table(report: Report, block_id: str) -> tuple[list[str], list[list]]:
    leads = report.leads
    if block_id == "kpis":
        rows = [
            ["Total Leads", leads.total],
            ["Converted", leads.converted],
            ["Irrelevant", leads.irrelevant],
            ["Conversion Rate (%)", _rounded(leads.conversion_rate)],
            ["Fresh", leads.fresh],
            ["Not Yet Scheduled", leads.not_yet_scheduled],
            ["Needs Follow Up", leads.needs_follow_up],
            ["Avg Response Time (min)", _rounded(leads.avg_response_minutes)],
            ["Median Response Time (min)", _rounded(leads.median_response_minutes)],
            [f"Escalated (Fresh, unclaimed > {leads.escalation_minutes} min)", leads.escalated],
        ]
        return ["Measure", "Value"], rows
    if block_id in ("by_status", "by_source", "by_office"):
        heading = {"by_status": "Status", "by_source": "Source", "by_office": "Office"}[block_id]
        return [heading, "Leads"], _bar_rows(getattr(leads, block_id))
    if block_id in ("status_by_day", "bookback_by_day", "followup_by_day"):
        chart = CHARTS[block_id]
        headers = [DAY] + [label for _, label, _ in chart.series]
        return headers, _day_rows(getattr(leads, block_id), chart.series)
    if block_id == "by_attempt":
        rows = [
            [attempt_label(row.attempt), row.total, row.converted, _rate(row.converted, row.total)]
            for row in leads.by_attempt
        ]
        return ["Attempt", "Leads", "Converted", "Conversion rate (%)"], rows
    if block_id == "agents":
        headers = ["Agent", "Calls", "Claims", "Conversions"]
        headers += ["Avg response (min)", "Median response (min)"]
        rows = [
            [row.name, row.calls, row.claims, row.conversions]
            + [_rounded(row.avg_response_minutes), _rounded(row.median_response_minutes)]
            for row in leads.agents
        ]
        return headers, rows
    if block_id in ("speed_by_source", "speed_by_agent"):
        first = "Source" if block_id == "speed_by_source" else "Agent"
        headers = [first, "Leads", "Median to first call (min)"]
        headers += ["90th percentile (min)", "Never called"]
        rows = [
            [row.label, row.leads, _rounded(row.median_minutes), _rounded(row.p90_minutes)]
            + [row.never_called]
            for row in getattr(leads, block_id)
        ]
        return headers, rows
    raise UnknownBlock(block_id)


def _jobs_table(report: Report, block_id: str) -> tuple[list[str], list[list]]:
    jobs = report.jobs
    if jobs is None:
        raise UnknownBlock(block_id)
    if block_id == "jobs_kpis":
        rows = [
            ["Total Jobs", jobs.total],
            ["Completed", jobs.done],
            ["Done (%)", _rounded(jobs.done_pct)],
            ["Cancelled", jobs.cancelled],
            ["Cancel (%)", _rounded(jobs.cancel_pct)],
            ["Revenue ($)", jobs.revenue],
            ["Finance-cancelled jobs", jobs.finance_cancelled_count],
            ["Finance-cancelled amount ($)", jobs.finance_cancelled_total],
            ["Deposits ($)", jobs.deposits_total],
            ["Deposits (count)", jobs.deposits_count],
            ["Rebooked", jobs.rebooked],
            ["K-Accepted", jobs.k_accepted],
            ["Parts Cost ($)", jobs.parts_cost],
        ]
        return ["Measure", "Value"], rows
    bar_headings = {
        "jobs_by_status": "Status",
        "jobs_by_office": "Office",
        "jobs_by_type": "Type",
        "jobs_by_source": "Source",
    }
    if block_id in bar_headings:
        return [bar_headings[block_id], "Jobs"], _bar_rows(getattr(jobs, CHARTS[block_id].source))
    if block_id == "jobs_daily":
        headers = [DAY] + [label for _, label, _ in JOBS_DAILY_SERIES]
        return headers, _day_rows(jobs.daily, JOBS_DAILY_SERIES)
    if block_id == "contractors":
        rows = [[c.name, c.jobs, c.done, c.cancelled, c.revenue] for c in jobs.contractors]
        return ["Contractor", "Jobs", "Done", "Cancelled", "Revenue ($)"], rows
    raise UnknownBlock(block_id)


def table(report: Report, block_id: str) -> tuple[str, list[str], list[list]]:
    """(title, headers, rows) of one block: numbers as numbers (dates as dates, money as
    Decimal, minutes rounded to 0.1), so a spreadsheet can sum them. Raises UnknownBlock."""
    if block_id in LEADS_BLOCKS:
        headers, rows = _leads_table(report, block_id)
    elif block_id in JOBS_BLOCKS:
        headers, rows = _jobs_table(report, block_id)
    else:
        raise UnknownBlock(block_id)
    return TITLES[block_id], headers, rows


def chart_values(report: Report, block_id: str) -> list:
    """The bars, day points or attempt rows a chart block draws."""
    data = report.leads if block_id in LEADS_BLOCKS else report.jobs
    if data is None or block_id not in CHARTS:
        raise UnknownBlock(block_id)
    return getattr(data, CHARTS[block_id].source)


def chart_title(block_id: str) -> str:
    """A chart's heading; a daily chart's says its days are New York days."""
    return TITLES[block_id] + (" (ET)" if CHARTS[block_id].is_daily else "")


def chart_svg(report: Report, block_id: str, *, width: int) -> SafeString:
    """The block's chart, drawn the same way on screen and in the email."""
    chart, values = CHARTS[block_id], chart_values(report, block_id)
    title = chart_title(block_id)
    if chart.kind == "bars":
        return charts.hbars_svg(values, width=width, colour=chart.colour, title=title)
    if chart.kind == "attempts":
        columns = [
            (attempt_label(row.attempt), {"total": row.total, "converted": row.converted})
            for row in values
        ]
        return charts.grouped_columns_svg(columns, chart.series, width=width, title=title)
    stacked = chart.kind == "stacked"
    return charts.stacked_days_svg(values, chart.series, width=width, title=title, stacked=stacked)


def cell_text(value) -> str:
    """A table cell as shown on screen and in the email: "—" for nothing, a day as
    "Tue Dec 1", money and fractions with two / one decimals, counts with commas."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return f"{value:%a %b} {value.day}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    note: str = ""


def leads_tiles(report: Report) -> list[Tile]:
    leads = report.leads
    return [
        Tile("Total Leads", f"{leads.total:,}"),
        Tile("Converted", f"{leads.converted:,}"),
        Tile("Irrelevant", f"{leads.irrelevant:,}"),
        Tile("Conversion Rate", percent_text(leads.conversion_rate), "converted ÷ total"),
        Tile("Fresh", f"{leads.fresh:,}"),
        Tile("Not Yet Scheduled", f"{leads.not_yet_scheduled:,}"),
        Tile("Needs Follow Up", f"{leads.needs_follow_up:,}"),
        Tile(
            "Avg Response Time",
            minutes_text(leads.avg_response_minutes),
            f"median {minutes_text(leads.median_response_minutes)}",
        ),
        Tile(
            "Escalated",
            f"{leads.escalated:,}",
            f"Fresh, unclaimed over {leads.escalation_minutes} min",
        ),
    ]


def jobs_tiles(report: Report) -> list[Tile]:
    jobs = report.jobs
    if jobs is None:
        return []
    deposits = f"{jobs.deposits_count:,} deposit{'' if jobs.deposits_count == 1 else 's'}"
    return [
        Tile("Total Jobs", f"{jobs.total:,}"),
        Tile("Completed", f"{jobs.done:,}", f"{percent_text(jobs.done_pct)} done"),
        Tile("Cancelled", f"{jobs.cancelled:,}", f"{percent_text(jobs.cancel_pct)} cancelled"),
        Tile("Revenue", money_text(jobs.revenue), "closing total of Done jobs *"),
        Tile("Deposits", money_text(jobs.deposits_total), deposits),
        Tile("Rebooked", f"{jobs.rebooked:,}"),
        Tile("K-Accepted", f"{jobs.k_accepted:,}"),
        Tile("Parts Cost", money_text(jobs.parts_cost)),
    ]


def finance_cancelled_note(report: Report) -> str:
    """The Revenue tile's footnote: finance-cancel leaves a job Done, so its closing total
    stays in Revenue; the footnote says how much of it was charged back or refunded."""
    jobs = report.jobs
    count, amount = jobs.finance_cancelled_count, money_text(jobs.finance_cancelled_total)
    on_jobs = f"{count:,} job" + ("" if count == 1 else "s")
    return f"* Of which finance-cancelled (chargebacks, refunds): {amount} on {on_jobs}."
