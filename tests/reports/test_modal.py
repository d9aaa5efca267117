"""📊 Reports modal and its .xlsx downloads, per role, against the hand-built week
(tests/reports/week_fixture.py: Nov 2–4, 2026 ET; Sliding and Garage Jobs on, Joes off)."""

import io
import re

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.reports import blocks
from crm.reports.email import render_report_email
from crm.reports.periods import Period
from crm.reports.queries import report_for
from leads.models import LeadSource
from tests.factories import LeadFactory, UserFactory
from tests.reports.week_fixture import FIRST_DAY, LAST_DAY, NOW, build


@pytest.fixture
def week(db):
    with time_machine.travel(NOW, tick=False):
        yield build()


WEEK = {"period": "custom", "start": "2026-11-02", "end": "2026-11-04"}
HTMX = {"HX-Request": "true"}


def _open(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:modal"), {**WEEK, **params}, headers=HTMX)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _office_options(response) -> list[str]:
    menu = re.search(r'class="multiselect__menu">(.*?)</div>', response.content.decode(), re.S)
    return re.findall(r"</?input[^>]*> ([^<]+)</label>", menu.group(1))


def test_a_partner_is_refused_the_modal_and_the_downloads(client, week):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    client.force_login(partner)

    assert client.get(reverse("reports:modal")).status_code == 403
    export = client.get(reverse("reports:export"), {**WEEK, "block": "by_source"})
    assert export.status_code == 403


def test_the_owner_sees_the_leads_tiles_of_the_week_with_the_median_and_escalated(client, week):
    response = _open(client, week.people["olivia"])

    text = _text(response)
    assert "Nov 2 – Nov 4, 2026 (ET)" in text
    assert "leads received in the period" in text
    assert "Total Leads 10" in text and "Converted 3" in text
    assert "Conversion Rate 30.0%" in text
    assert "Avg Response Time 22 min median 16 min" in text
    assert "Escalated 4 Fresh, unclaimed over 15 min" in text
    assert "<html" not in response.content.decode()  # the modal's fragment


def test_an_agent_picks_only_among_their_own_offices(client, week):
    assert _office_options(_open(client, week.people["dana"])) == ["Sliding"]
    assert _office_options(_open(client, week.people["omri"])) == ["Garage", "Sliding"]
    owner_options = _office_options(_open(client, week.people["olivia"]))
    assert owner_options == ["Garage", "Joes Doors FL", "Sliding"]


def test_an_office_outside_the_agents_own_is_ignored(client, week):
    joes = week.offices["joes"]
    response = _open(client, week.people["dana"], office=[joes.pk])

    assert "Total Leads 6" in _text(response)  # Dana's Sliding leads, not Joes'


def test_picking_an_office_narrows_the_numbers_and_swaps_only_the_report_body(client, week):
    client.force_login(week.people["olivia"])
    response = client.get(
        reverse("reports:modal"),
        {**WEEK, "office": [week.offices["garage"].pk]},
        headers={**HTMX, "HX-Target": "report-body"},
    )

    assert response.content.decode().lstrip().startswith('<div id="report-body"')
    assert "Total Leads 3" in _text(response)
    assertNotContains(response, "📥 Leads")  # no tabs: the bar stays as it is


def test_the_jobs_tab_counts_jobs_created_in_the_period_with_the_finance_cancelled_note(
    client, week
):
    response = _open(client, week.people["olivia"], tab="jobs")

    text = _text(response)
    assert "jobs created in the period" in text
    assert "Total Jobs 18" in text
    # Job 3 (Done, $600) was finance-cancelled: still in Revenue, and said so.
    assert "Revenue $4,000.00" in text
    assert "* Of which finance-cancelled (chargebacks, refunds): $600.00 on 1 job." in text
    assertContains(response, 'aria-current="page">🔧 Jobs</a>')


def test_a_user_whose_offices_all_have_jobs_off_has_no_jobs_tab_and_its_url_is_refused(
    client, week
):
    joes_agent = UserFactory(role=Role.AGENT, offices=[week.offices["joes"]])

    response = _open(client, joes_agent)
    assert response.status_code == 200
    assertContains(response, "📥 Leads")
    assertNotContains(response, "🔧 Jobs")
    assert _open(client, joes_agent, tab="jobs").status_code == 403
    export = client.get(reverse("reports:export"), {**WEEK, "block": "jobs_kpis"})
    assert export.status_code == 403


def test_a_bad_custom_range_says_why_and_draws_no_numbers(client, week):
    response = _open(client, week.people["olivia"], start="2026-11-09", end="2026-11-02")

    assert response.status_code == 200
    assertContains(response, "The start date must be on or before the end date.")
    assertNotContains(response, "Total Leads")


def test_without_htmx_the_modal_is_a_page_of_its_own(client, week):
    client.force_login(week.people["olivia"])
    response = client.get(reverse("reports:modal"), WEEK)

    assertContains(response, '<div class="modal reports-page" id="reports-page">')
    assertContains(response, 'hx-target="#reports-page"')
    assertContains(response, "Total Leads")


def test_every_chart_has_a_show_numbers_table_and_a_download(client, week):
    response = _open(client, week.people["olivia"])

    content = response.content.decode()
    for chart in blocks.LEADS_CHARTS:
        assert f'<details class="report-numbers" data-block="{chart.block_id}">' in content
        assert f"block={chart.block_id}" in content
    for table in ("agents", "speed_by_source", "speed_by_agent", "kpis"):
        assert f"block={table}" in content
    assert content.count("<svg") == len(blocks.LEADS_CHARTS)


def test_a_source_named_script_is_shown_as_text(client, week):
    hostile = LeadSource.objects.create(key="hostile", label="<script>alert(1)</script>")
    LeadFactory(
        office=week.offices["sliding"], source=hostile, received_at=week.leads["L1"].received_at
    )

    response = _open(client, week.people["olivia"])

    assertNotContains(response, "<script>alert(1)")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize(("tab", "queries"), [("leads", 14), ("jobs", 14)])
def test_the_modal_runs_a_fixed_number_of_queries(
    client, week, django_assert_num_queries, tab, queries
):
    owner = week.people["olivia"]
    client.force_login(owner)
    with django_assert_num_queries(queries):
        client.get(reverse("reports:modal"), {**WEEK, "tab": tab}, headers=HTMX)


def test_the_xlsx_download_holds_the_tables_rows(client, week):
    client.force_login(week.people["olivia"])
    response = client.get(reverse("reports:export"), {**WEEK, "block": "by_source"})

    assert response["Content-Disposition"] == (
        'attachment; filename="by-source-2026-11-02-to-2026-11-04.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Leads by Source"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Source", "Leads"],
        ["Facebook Ads", 5],
        ["Google Ads", 3],
        ["BookBack AI", 2],
    ]


def test_a_daily_xlsx_has_days_as_dates_and_money_as_money(client, week):
    client.force_login(week.people["olivia"])
    daily = client.get(reverse("reports:export"), {**WEEK, "block": "jobs_daily"})
    kpis = client.get(reverse("reports:export"), {**WEEK, "block": "contractors"})

    days = openpyxl.load_workbook(io.BytesIO(daily.content)).active
    assert [cell.value.date() for (cell,) in days.iter_rows(min_row=2, max_col=1)] == [
        FIRST_DAY,
        FIRST_DAY.replace(day=3),
        LAST_DAY,
    ]
    contractors = openpyxl.load_workbook(io.BytesIO(kpis.content)).active
    assert contractors["E1"].value == "Revenue ($)"
    assert contractors["E2"].number_format == "#,##0.00"


def test_an_unknown_block_is_not_found(client, week):
    client.force_login(week.people["olivia"])
    response = client.get(reverse("reports:export"), {**WEEK, "block": "salaries"})

    assert response.status_code == 404


def test_the_email_shows_the_same_numbers_as_the_modal_for_the_same_report(client, week):
    owner = week.people["olivia"]
    modal_text = _text(_open(client, owner))
    jobs_text = _text(_open(client, owner, tab="jobs"))

    report = report_for(owner, Period.of_days("custom", FIRST_DAY, LAST_DAY))
    _, html = render_report_email(report, title="Report")
    email_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for tile in blocks.leads_tiles(report):
        shown = f"{tile.label} {tile.value}"
        assert shown in modal_text and shown in email_text
    for tile in blocks.jobs_tiles(report):
        shown = f"{tile.label} {tile.value}"
        assert shown in jobs_text and shown in email_text
    for block_id in ("agents", "speed_by_source", "contractors"):
        _, _, rows = blocks.table(report, block_id)
        for row in rows:
            for value in row:
                text = blocks.cell_text(value)
                where = jobs_text if block_id == "contractors" else modal_text
                assert text in where and text in email_text


def test_switching_tabs_within_the_minute_reads_the_cached_report(
    client, week, django_assert_num_queries
):
    owner = week.people["olivia"]
    client.force_login(owner)
    client.get(reverse("reports:modal"), WEEK, headers=HTMX)
    # Only the sign-in's own reads: the numbers come from the cache.
    with django_assert_num_queries(2):
        response = client.get(reverse("reports:modal"), {**WEEK, "tab": "jobs"}, headers=HTMX)
    assert "Total Jobs 18" in _text(response)


def test_the_topbar_opens_reports_in_the_modal_for_staff_but_not_for_a_partner(client, week):
    client.force_login(week.people["dana"])
    page = client.get(reverse("leads:dashboard"))
    assertContains(
        page,
        f'href="{reverse("reports:modal")}" hx-get="{reverse("reports:modal")}" '
        'hx-target="#modal-body" data-open-modal>📊 Reports</a>',
    )

    client.force_login(UserFactory(role=Role.PARTNER, partner_name="GDQ"))
    assertNotContains(client.get(reverse("leads:dashboard")), "📊 Reports")


def test_the_jobs_tab_of_only_jobs_off_offices_says_there_is_nothing_to_count(client, week):
    joes = week.offices["joes"]
    response = _open(client, week.people["olivia"], tab="jobs", office=[joes.pk])

    assertContains(response, "None of the chosen offices has the Jobs feature on")
    assertNotContains(response, "Total Jobs")
