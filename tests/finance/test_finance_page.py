"""💰 /finance through the views: who sees it, filters and totals, the side panel's edits
(locked for viewers, on the server too), paid toggles, finance-cancel and the export."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from contractors.models import Contractor
from crm.accounts.models import Role
from finance.models import FinanceSettings
from jobs.forms import filter_choices
from jobs.models import Job, Status
from messaging.models import Line
from tests.factories import ContractorFactory, JobPartnerFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("finance:dashboard")
HX = {"HX-Request": "true"}


def url(name, job):
    return reverse(f"finance:{name}", args=[job.pk])


def signed_in(client, role, sliding):
    client.force_login(UserFactory(role=role, offices=[sliding], partner_name="GDQ"))
    return client


@pytest.fixture
def jobs(make_job):
    return {
        "done": make_job(first_name="Dana", last_name="Done"),
        "deposit": make_job(
            first_name="Deb",
            last_name="Deposit",
            status=Status.DEPOSIT,
            closing_total=None,
            parts_total=None,
            deposit_amount=Decimal("200.00"),
        ),
        "submitted": make_job(first_name="Sam", last_name="Submitted", status=Status.SUBMITTED),
    }


@pytest.mark.parametrize("role", [Role.OWNER, Role.FINANCE_ADMIN, Role.VIEWER])
def test_owner_finance_admin_and_viewer_see_deposit_and_done_jobs(client, sliding, jobs, role):
    html = signed_in(client, role, sliding).get(PAGE).content.decode()
    assert "Dana Done" in html and "Deb Deposit" in html and "Sam Submitted" not in html
    assert "$545.65" in html  # (900 − 120.50) × 70%


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.PARTNER])
def test_admins_agents_and_partners_get_no_finance(client, sliding, jobs, role):
    client = signed_in(client, role, sliding)
    assert client.get(PAGE).status_code in (302, 403)
    assert client.get(url("detail", jobs["done"])).status_code in (302, 403)
    response = client.post(url("money", jobs["done"]), {"field": "closing_total", "value": "1"})
    assert response.status_code in (302, 403)
    assert Job.objects.get(pk=jobs["done"].pk).closing_total == Decimal("900.00")


def test_totals_cover_the_filtered_set_and_filters_narrow_it(client, sliding, jobs, make_job):
    other = ContractorFactory(name="Other Doors")
    make_job(first_name="Olga", last_name="Other", contractor=other, closing_total=Decimal("100"))
    client = signed_in(client, Role.OWNER, sliding)
    html = client.get(PAGE).content.decode()
    assert "$1,000.00" in html  # closing total: 900 + 100 (the deposit job has none)
    narrowed = client.get(PAGE, {"contractor": [other.pk]}).content.decode()
    assert "Olga Other" in narrowed and "Dana Done" not in narrowed
    assert "$100.00" in narrowed
    unpaid = client.get(PAGE, {"paid": "contractor_paid"}).content.decode()
    assert "No Deposit or Done jobs match these filters." in unpaid


def test_the_list_is_a_fixed_number_of_queries(
    client, sliding, make_job, django_assert_num_queries
):
    for n in range(30):
        make_job(first_name=f"Client{n}", contractor=ContractorFactory())
    client = signed_in(client, Role.OWNER, sliding)
    client.get(PAGE)
    # The session's user, the user's offices, the page of jobs: the dropdowns' partners and
    # contractors come from the Jobs board's cache, and the totals from their own.
    with django_assert_num_queries(3):
        assert client.get(PAGE).status_code == 200


def test_every_text_a_person_typed_is_escaped_in_the_rows_and_filters(client, make_job):
    """The rows and the filter row are built as strings for speed (finance/rows.py,
    FinanceFilterForm.filter_row): each value is escaped by hand there, and this holds every
    typed field to it."""
    evil = '<script>alert("x")</script>'
    office = OfficeFactory(name=f"Office {evil}")
    make_job(
        office=office,
        source=JobPartnerFactory(name=f"Partner {evil}"),
        contractor=ContractorFactory(name=f"Contractor {evil}"),
        first_name=evil,
        last_name=f'"{evil}',
        contractor_paid_at=datetime.datetime(2026, 11, 23, 15, tzinfo=datetime.UTC),
        contractor_paid_by=UserFactory(first_name=evil, last_name="Payer"),
    )
    for role in (Role.OWNER, Role.VIEWER):  # buttons for editors, plain marks for viewers
        client.force_login(UserFactory(role=role, offices=[office]))
        html = client.get(PAGE).content.decode()
        assert "<script>alert" not in html
        escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        for text in ("Office ", "Partner ", "Contractor ", "Paid by ", "&quot;"):
            assert f"{text}{escaped}" in html


def test_a_contractor_the_cached_list_lacks_still_shows_by_name(client, sliding, make_job):
    """Rows take their names from the dropdowns' cached lists; one saved as the list was
    read (here: without the save signal that forgets it) is read from the database."""
    client = signed_in(client, Role.OWNER, sliding)
    job = make_job(first_name="Lena")
    filter_choices()  # the lists are cached
    (late,) = Contractor.objects.bulk_create([Contractor(name="Late Locks", profit_share=30)])
    Job.objects.filter(pk=job.pk).update(contractor=late)
    html = client.get(PAGE).content.decode()
    assert '<span class="cell-trunc" title="Late Locks">Late Locks</span>' in html


def test_an_invalid_filter_says_why_and_shows_no_jobs(client, sliding, jobs):
    client = signed_in(client, Role.OWNER, sliding)
    backwards = {"range": "custom", "date_from": "2026-03-01", "date_to": "2026-01-01"}
    html = client.get(PAGE, backwards).content.decode()
    assert "The start date must be on or before the end date." in html
    assert "No Deposit or Done jobs match these filters." in html
    assert "Totals · 0 jobs" in html
    html = client.get(PAGE, {"paid": "nowhere"}).content.decode()
    assert "Select a valid choice. nowhere is not one of the available choices." in html


def test_a_finance_admin_edits_closing_and_the_payout_follows(client, sliding, jobs):
    client = signed_in(client, Role.FINANCE_ADMIN, sliding)
    panel = client.post(
        url("money", jobs["done"]), {"field": "closing_total", "value": "1,000"}, headers=HX
    ).content.decode()
    assert "$615.65" in panel  # (1000 − 120.50) × 70%
    assert "💰 Closing: $900.00 → $1,000.00" in panel


def test_bad_amounts_are_refused_and_parts_over_closing_asks_first(client, sliding, jobs):
    client = signed_in(client, Role.OWNER, sliding)
    done = jobs["done"]
    bad = client.post(url("money", done), {"field": "profit_share", "value": "120"}, headers=HX)
    assert "The profit % must be between 0 and 100." in bad.content.decode()
    over = client.post(url("money", done), {"field": "parts_total", "value": "950"}, headers=HX)
    assert "Save anyway" in over.content.decode()
    assert Job.objects.get(pk=done.pk).parts_total == Decimal("120.50")
    client.post(
        url("money", done), {"field": "parts_total", "value": "950", "confirm": "1"}, headers=HX
    )
    assert Job.objects.get(pk=done.pk).parts_total == Decimal("950.00")


def test_viewers_see_locked_inputs_and_the_server_refuses_their_writes(client, sliding, jobs):
    client = signed_in(client, Role.VIEWER, sliding)
    panel = client.get(url("detail", jobs["done"]), headers=HX).content.decode()
    assert 'id="money-closing_total" value="900.00" disabled' in panel
    assert "Finance-cancel" not in panel
    done = jobs["done"]
    for name, data in [
        ("money", {"field": "closing_total", "value": "1"}),
        ("paid", {"party": "contractor", "paid": "1"}),
        ("cancel", {"reason": "Chargeback"}),
        ("archive", {}),
    ]:
        assert client.post(url(name, done), data, headers=HX).status_code == 403
    done.refresh_from_db()
    assert done.closing_total == Decimal("900.00") and done.contractor_paid_at is None
    assert done.finance_cancelled_at is None and not done.is_archived


def test_paid_toggles_stamp_who_and_when_and_swap_the_row(client, sliding, jobs):
    client = signed_in(client, Role.FINANCE_ADMIN, sliding)
    row = client.post(url("paid", jobs["done"]), {"party": "contractor", "paid": "1"}, headers=HX)
    assert "✓ K" in row.content.decode() and "Paid by" in row.content.decode()
    assert Job.objects.get(pk=jobs["done"].pk).contractor_paid_at is not None
    client.post(url("paid", jobs["done"]), {"party": "contractor", "paid": "0"}, headers=HX)
    assert Job.objects.get(pk=jobs["done"].pk).contractor_paid_at is None


def test_finance_cancel_keeps_the_job_status_and_can_be_undone(client, sliding, jobs):
    client = signed_in(client, Role.OWNER, sliding)
    done = jobs["done"]
    refused = client.post(url("cancel", done), {"reason": ""}, headers=HX)
    assert Job.objects.get(pk=done.pk).finance_cancelled_at is None
    assert "alert--error" in refused.content.decode()
    panel = client.post(url("cancel", done), {"reason": "Chargeback", "note": "Bank dispute"})
    assert "↺ Undo cancel" in panel.content.decode()
    done.refresh_from_db()
    assert done.finance_cancelled_at is not None and done.status == Status.DONE
    client.post(url("cancel", done), {"undo": "1"}, headers=HX)
    assert Job.objects.get(pk=done.pk).finance_cancelled_at is None


def test_archive_from_finance_is_the_jobs_archive(client, sliding, jobs):
    client = signed_in(client, Role.FINANCE_ADMIN, sliding)
    response = client.post(url("archive", jobs["done"]), headers=HX)
    assert response.status_code == 204
    assert Job.objects.get(pk=jobs["done"].pk).is_archived
    assert "Dana Done" not in client.get(PAGE).content.decode()


def test_the_export_holds_the_filtered_rows_with_numbers(client, sliding, jobs):
    client = signed_in(client, Role.VIEWER, sliding)
    response = client.get(reverse("finance:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Job", "Date", "Client")
    by_client = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_client) == {"Dana Done", "Deb Deposit"}
    assert by_client["Dana Done"]["Payout"] == pytest.approx(545.65)
    assert by_client["Deb Deposit"]["Deposit"] == pytest.approx(200)


def test_reports_page_sums_the_week_and_downloads_it(client, sliding, make_job):
    done_at = datetime.datetime(2026, 5, 5, 14, 0, tzinfo=datetime.UTC)
    make_job(first_name="Week", last_name="Job", status_changed_at=done_at)
    client = signed_in(client, Role.VIEWER, sliding)
    page = client.get(reverse("finance:reports"), {"week": "2026-05-06"})  # any day: its week
    html = page.content.decode()
    assert "May 4 – 10, 2026" in html and "Mike Hernandez" in html and "$545.65" in html
    assert "Send this week" not in html  # viewers read only
    xlsx = client.get(reverse("finance:reports"), {"week": "2026-05-04", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="payment-report-2026-05-04.xlsx"'
    openpyxl.load_workbook(io.BytesIO(xlsx.content))  # a real workbook
    refused = client.post(reverse("finance:send_reports"), {"week": "2026-05-04"})
    assert refused.status_code == 403


def test_cp_finance_settings_keep_the_password_secret(client, owner):
    client.force_login(owner)
    page = reverse("finance:cp_finance_settings")
    data = {
        "smtp_host": "smtp.example.com",
        "smtp_port": "587",
        "smtp_username": "reports@example.com",
        "smtp_password": "app-pass-123",
        "smtp_use_tls": "on",
        "from_email": "reports@example.com",
        "from_name": "BookBack Finance",
        "report_recipients": "books@example.com",
        "outbound_ctm_number": Line.objects.create(phone="+13055550142", label="Finance").pk,
    }
    assert client.post(page, data).status_code == 302
    saved = FinanceSettings.load()
    assert (
        saved.smtp_password == "app-pass-123" and saved.outbound_ctm_number.phone == "+13055550142"
    )
    html = client.get(page).content.decode()
    assert "app-pass-123" not in html and "already set" in html
    client.post(page, {**data, "smtp_password": "", "smtp_port": "99999"})
    assert FinanceSettings.load().smtp_port == 587  # refused, nothing changed
    client.post(page, {**data, "smtp_password": ""})
    assert FinanceSettings.load().smtp_password == "app-pass-123"  # blank keeps it


@pytest.mark.parametrize("role", [Role.FINANCE_ADMIN, Role.ADMIN, Role.VIEWER])
def test_only_the_owner_opens_cp_finance_settings(client, sliding, role):
    client = signed_in(client, role, sliding)
    assert client.get(reverse("finance:cp_finance_settings")).status_code in (302, 403)


def test_a_refused_paid_toggle_says_why_in_an_error_toast(client, sliding, make_job):
    nobody = make_job(first_name="Nora", last_name="Nobody", contractor=None)
    client = signed_in(client, Role.FINANCE_ADMIN, sliding)
    response = client.post(url("paid", nobody), {"party": "contractor", "paid": "1"}, headers=HX)
    assert response.status_code == 409
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast["level"] == "error" and "contractor" in toast["text"].lower()
    assert Job.objects.get(pk=nobody.pk).contractor_paid_at is None
    plain = client.post(url("paid", nobody), {"party": "someone", "paid": "1"})
    assert plain.status_code == 400 and "HX-Trigger" not in plain  # a plain post reads the body
    assert plain.content.decode() == "Say party=contractor|partner and paid=1|0."
