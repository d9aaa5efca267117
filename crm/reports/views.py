"""📊 Reports: the modal (📥 Leads / 🔧 Jobs tabs, a period, the user's offices) and each
table as an .xlsx download. Thin: `crm.reports.queries` counts (scoped to the user),
`crm.reports.blocks` lays the numbers out, this module reads the choice and draws it."""

import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from crm import permissions, widgets
from crm.htmx import refuse
from crm.reports import blocks
from crm.reports.periods import Period, PeriodError, period_for
from crm.reports.queries import jobs_tab_allowed, report_for
from crm.xlsx import DATE_FORMAT, MONEY_FORMAT, xlsx_response

can_view = permissions.require("reports.view")
TABS = (("leads", "📥 Leads"), ("jobs", "🔧 Jobs"))
PERIODS = (("today", "Today"), ("week", "This Week"), ("month", "This Month"), ("custom", "Custom"))
DEFAULT_PERIOD = "week"
OFFICE_ID = re.compile(r"[0-9]{1,10}")
CHART_WIDTH = 540  # two charts a row in the 1,220 px modal
DAILY_WIDTH = 1140  # a daily chart spans the row


@dataclass
class Choice:
    """What the user asked for, read from the query string."""

    tab: str
    preset: str
    start: str
    end: str
    office_ids: list[int] = field(default_factory=list)  # empty: every office of the user
    period: Period | None = None
    error: str = ""

    def query(self, *, tab: str | None = None, preset: str | None = None, offices=True) -> str:
        """The query string of this choice with `tab` / `preset` swapped; without the
        offices for an htmx request that includes the live office checkboxes instead."""
        preset = preset or self.preset
        params = [("tab", tab or self.tab), ("period", preset)]
        if preset == "custom":
            days = self.period
            params += [
                ("start", self.start or (days.first_day.isoformat() if days else "")),
                ("end", self.end or (days.last_day.isoformat() if days else "")),
            ]
        if offices:
            params += [("office", office_id) for office_id in self.office_ids]
        return urlencode(params)


def _choice(request) -> Choice:
    query = request.GET
    tab = query.get("tab", "leads")
    if tab not in dict(TABS):
        tab = "leads"
    preset = query.get("period", DEFAULT_PERIOD)
    visible = request.user.office_ids
    chosen = {value for value in query.getlist("office") if OFFICE_ID.fullmatch(value)}
    # Offices outside the user's are dropped, not refused: a refusal would confirm they exist.
    office_ids = sorted(int(value) for value in chosen if int(value) in visible)
    choice = Choice(
        tab=tab,
        preset=preset if preset in dict(PERIODS) else DEFAULT_PERIOD,
        start=query.get("start", ""),
        end=query.get("end", ""),
        office_ids=office_ids,
    )
    try:
        choice.period = period_for(choice.preset, start=choice.start, end=choice.end)
    except PeriodError as exc:
        choice.error = str(exc)
    return choice


def _refuse_jobs_without_feature(request, choice: Choice) -> None:
    """The Jobs tab is hidden from a user whose offices all have Jobs off; its URL too."""
    if choice.tab == "jobs" and not jobs_tab_allowed(request.user):
        raise PermissionDenied("None of your offices has the Jobs feature on.")


def _office_menu(request, choice: Choice) -> dict:
    """The office dropdown (templates/widgets/multiselect_dropdown.html): the user's offices."""
    chosen = set(choice.office_ids)
    options = [
        (str(office_id), name, office_id in chosen)
        for office_id, name, _ in request.user.visible_offices
    ]
    return {
        "attrs": {"id": "report-office"},
        "label": "Offices",
        "options_html": widgets.options_html("office", options),
        "selected_count": len(chosen),
    }


def _charts(report, block_ids) -> list[dict]:
    drawn = []
    for block_id in block_ids:
        chart = blocks.CHARTS[block_id]
        width = DAILY_WIDTH if chart.is_daily else CHART_WIDTH
        drawn.append(
            {
                "id": block_id,
                "title": blocks.chart_title(block_id),
                "svg": blocks.chart_svg(report, block_id, width=width),
                "wide": chart.is_daily,
                "table": _numbers(report, block_id),
            }
        )
    return drawn


def _numbers(report, block_id: str) -> dict:
    title, headers, rows = blocks.table(report, block_id)
    return {"id": block_id, "title": title, "html": _table_html(block_id, headers, rows)}


def _cells(tag: str, values) -> str:
    """One table row's cells: the first is a label, the rest are numbers (right-aligned)."""
    opening = (f"<{tag}>", f'<{tag} class="num">')
    return "".join(
        f"{opening[index > 0]}{escape(text)}</{tag}>" for index, text in enumerate(values)
    )


def _table_html(block_id: str, headers: list[str], rows: list[list]) -> SafeString:
    """A block's numbers as one escaped string: a tab draws a dozen tables, and their
    cells through the template engine cost more than the report's cached numbers."""
    body = (
        "".join(
            f"<tr>{_cells('td', [blocks.cell_text(value) for value in row])}</tr>" for row in rows
        )
        or f'<tr><td colspan="{len(headers)}" class="muted">Nothing in this period.</td></tr>'
    )
    return mark_safe(
        f'<div class="table-wrap report-table__wrap"><table class="table report-table__table" '
        f'data-block="{escape(block_id)}"><thead><tr>{_cells("th", headers)}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _tables(report, block_ids) -> list[dict]:
    return [_numbers(report, block_id) for block_id in block_ids]


def _report_context(request, choice: Choice) -> dict:
    report = report_for(request.user, choice.period, choice.office_ids or None)
    context = {"report": report, "offices": ", ".join(office.name for office in report.offices)}
    if choice.tab == "leads":
        context |= {
            "tiles": blocks.leads_tiles(report),
            "charts": _charts(report, [chart.block_id for chart in blocks.LEADS_CHARTS]),
            "tables": _tables(report, ("agents", "speed_by_source", "speed_by_agent")),
            "kpis": _numbers(report, "kpis"),
        }
    elif report.jobs is not None:
        context |= {
            "tiles": blocks.jobs_tiles(report),
            "footnote": blocks.finance_cancelled_note(report),
            "charts": _charts(report, [chart.block_id for chart in blocks.JOBS_CHARTS]),
            "tables": _tables(report, ("contractors",)),
            "kpis": _numbers(report, "jobs_kpis"),
        }
    return context


def _button(modal_url: str, choice: Choice, label: str, current: bool, **change) -> dict:
    """A tab or period button: its page URL, and the HTMX one that keeps the office menu."""
    return {
        "label": label,
        "current": current,
        "href": f"{modal_url}?{choice.query(**change)}",
        "hx": f"{modal_url}?{choice.query(**change, offices=False)}",
    }


@can_view
def modal(request):
    """The 📊 Reports modal (a page of its own without htmx). An office change swaps only
    the report body (#report-body), so the office dropdown stays open for the next pick."""
    choice = _choice(request)
    _refuse_jobs_without_feature(request, choice)
    target = request.htmx.target if request.htmx else None
    is_page = not request.htmx or target == "reports-page"
    modal_url = reverse("reports:modal")
    jobs_allowed = jobs_tab_allowed(request.user)
    context = {
        "choice": choice,
        "is_page": is_page,
        "swap_target": "#reports-page" if is_page else "#modal-body",
        "export_url": reverse("reports:export"),
        "self_query": choice.query(),
        "tabs": [
            _button(modal_url, choice, label, tab == choice.tab, tab=tab)
            for tab, label in TABS
            if tab == "leads" or jobs_allowed
        ],
        "periods": [
            _button(modal_url, choice, label, preset == choice.preset, preset=preset)
            for preset, label in PERIODS
        ],
        "office_hx": f"{modal_url}?{choice.query(offices=False)}",
        "custom_hx": f"{modal_url}?{urlencode([('tab', choice.tab), ('period', 'custom')])}",
        "office_menu": _office_menu(request, choice),
    }
    if not choice.error:
        context |= _report_context(request, choice)
    if target == "report-body":
        # The dropdown stays open; its summary ("2 selected") follows out of band.
        context["office_oob"] = True
        return render(request, "reports/_partials/body.html", context)
    if request.htmx:
        return render(request, "reports/_partials/modal.html", context)
    return render(request, "reports/modal.html", context)


def _formats(headers: list[str]) -> dict:
    """Money columns as money, day columns as dates."""
    formats = {header: MONEY_FORMAT for header in headers if header.endswith("($)")}
    return formats | ({blocks.DAY: DATE_FORMAT} if blocks.DAY in headers else {})


@can_view
def export(request):
    """One block's table as an .xlsx file, for the same tab, period and offices."""
    choice = _choice(request)
    block_id = request.GET.get("block", "")
    if block_id in blocks.JOBS_BLOCKS:
        choice.tab = "jobs"
    _refuse_jobs_without_feature(request, choice)
    if choice.error:
        return refuse(request, choice.error, status=400)
    report = report_for(request.user, choice.period, choice.office_ids or None)
    try:
        title, headers, rows = blocks.table(report, block_id)
    except blocks.UnknownBlock:
        raise Http404("No such table in this report.") from None
    period = choice.period
    filename = f"{block_id.replace('_', '-')}-{period.first_day}-to-{period.last_day}.xlsx"
    sheet = (title, headers, rows)
    return xlsx_response(
        filename, [sheet], title=f"{title}, {period.label}", formats=_formats(headers), fitted=True
    )
