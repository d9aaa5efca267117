"""The Sunday 11 PM email run, through a real SMTP server on localhost: each report once,
to the right people, through the finance SMTP account; a second run sends nothing twice
and a run that failed or died half-way resends only what it never finished."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from crm.timeline.models import AuditEvent
from finance.models import WeeklyReportDelivery
from finance.services import save_finance_settings
from finance.tasks import send_weekly_reports
from tests.factories import ContractorFactory

pytestmark = pytest.mark.django_db

D = Decimal
WEEK = "2026-05-04"
State = WeeklyReportDelivery.State


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 5, day, hour, 0, tzinfo=datetime.UTC)


@pytest.fixture
def week(make_job, mike, gdq, house):
    """Mike (has a report email) and Ana (hasn't) each did a job for GDQ; Mike one for
    the house brand."""
    ana = ContractorFactory(name="Ana Lopez", profit_share=25, report_email="")
    make_job(status_changed_at=at(5, 14))  # Mike · GDQ: payout 545.65
    make_job(source=house, status_changed_at=at(6, 14), partner_paid_auto=True)
    make_job(
        contractor=ana,
        closing_total=D("450"),
        parts_total=D("45"),
        profit_share=D("25"),
        status_changed_at=at(7, 14),
    )  # Ana · GDQ: payout 303.75
    return ana


@pytest.fixture
def finance_smtp(owner, fake_smtp):
    port, inbox = fake_smtp
    save_finance_settings(
        actor=owner,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_use_tls=False,
        from_email="finance@bookback.test",
        from_name="BookBack Finance",
        report_recipients="books@bookback.test",
    )
    return inbox


def deliveries() -> dict[tuple[str, str], str]:
    return {
        (delivery.kind, delivery.party_name): delivery.state
        for delivery in WeeklyReportDelivery.objects.all()
    }


def test_each_report_goes_once_to_the_right_people(week, finance_smtp, mike):
    inbox = finance_smtp

    counts = send_weekly_reports.delay(WEEK).result

    assert counts == {"sent": 4, "skipped": 0, "failed": 0, "already": 0}
    assert sorted(inbox.subjects) == [
        "Payment report — Ana Lopez — week of May 4 – 10, 2026",
        "Payment report — BookBack Home — week of May 4 – 10, 2026",
        "Payment report — GDQ — week of May 4 – 10, 2026",
        "Payment report — Mike Hernandez — week of May 4 – 10, 2026",
    ]
    (mikes,) = inbox.to("mike@contractors.test")
    assert mikes["From"] == "BookBack Finance <finance@bookback.test>"
    text = mikes.get_body(preferencelist=("plain",)).get_content()
    assert "Net due to you:  $1,091.30" in text  # two jobs at $545.65
    assert "$1,091.30" in mikes.get_body(preferencelist=("html",)).get_content()
    (attachment,) = mikes.iter_attachments()
    assert attachment.get_filename() == f"payment-report-2026-05-04-contractor-{mike.pk}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert {row[0] for row in workbook["Contractors"].iter_rows(min_row=2, values_only=True)} == {
        "Mike Hernandez"
    }
    # No report email for Ana, and partners have none: the finance recipients get them.
    books = inbox.to("books@bookback.test")
    assert {" ".join(str(message["Subject"]).split()).split(" — ")[1] for message in books} == {
        "Ana Lopez",
        "GDQ",
        "BookBack Home",
    }
    assert set(deliveries().values()) == {State.SENT}
    assert AuditEvent.objects.get(kind="finance.reports_sent").text == (
        "Weekly payment reports, week of May 4 – 10, 2026: 4 sent, 0 skipped, 0 failed"
    )

    again = send_weekly_reports.delay(WEEK).result

    assert again == {"sent": 0, "skipped": 0, "failed": 0, "already": 4}
    assert len(inbox.messages) == 4
    assert AuditEvent.objects.filter(kind="finance.reports_sent").count() == 1


def test_a_refused_email_is_the_only_one_sent_again(week, finance_smtp):
    inbox = finance_smtp
    inbox.refused.add("mike@contractors.test")

    counts = send_weekly_reports.delay(WEEK).result

    assert counts == {"sent": 3, "skipped": 0, "failed": 1, "already": 0}
    failed = WeeklyReportDelivery.objects.get(state=State.FAILED)
    assert failed.party_name == "Mike Hernandez" and "Mailbox unavailable" in failed.error
    assert failed.recipients == "mike@contractors.test"

    inbox.refused.clear()
    counts = send_weekly_reports.delay(WEEK).result

    assert counts == {"sent": 1, "skipped": 0, "failed": 0, "already": 3}
    assert len(inbox.to("mike@contractors.test")) == 1 and len(inbox.messages) == 4
    failed.refresh_from_db()
    assert failed.state == State.SENT and failed.attempts == 2 and failed.error == ""


def test_a_run_that_died_mid_send_resends_only_what_it_never_finished(week, finance_smtp, mike):
    inbox = finance_smtp
    now = timezone.now()
    week_start = datetime.date.fromisoformat(WEEK)

    def delivery(kind, party, state, claimed_minutes_ago):
        WeeklyReportDelivery.objects.create(
            week_start=week_start,
            kind=kind,
            party_id=party.pk,
            party_name=party.name,
            state=state,
            claimed_at=now - datetime.timedelta(minutes=claimed_minutes_ago),
        )

    Kind = WeeklyReportDelivery.Kind
    delivery(Kind.CONTRACTOR, week, State.SENT, 60)  # Ana's went out before the crash
    delivery(Kind.CONTRACTOR, mike, State.SENDING, 60)  # the dead run was on Mike's
    delivery(Kind.PARTNER, week.jobs.first().source, State.SENDING, 1)  # a live run on GDQ's

    counts = send_weekly_reports.delay(WEEK).result

    assert counts == {"sent": 2, "skipped": 0, "failed": 0, "already": 2}
    assert sorted(subject.split(" — ")[1] for subject in inbox.subjects) == [
        "BookBack Home",
        "Mike Hernandez",
    ]


def test_without_finance_smtp_the_reports_wait_with_the_reason(week, owner, fake_smtp):
    port, inbox = fake_smtp

    counts = send_weekly_reports.delay(WEEK).result

    assert counts == {"sent": 0, "skipped": 4, "failed": 0, "already": 0}
    assert {delivery.error for delivery in WeeklyReportDelivery.objects.all()} == {
        "Finance SMTP is not set up (CP → Finance)."
    }

    save_finance_settings(
        actor=owner,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_use_tls=False,
        from_email="finance@bookback.test",
    )
    counts = send_weekly_reports.delay(WEEK).result

    # Mike has his own address; the others wait for report recipients.
    assert counts == {"sent": 1, "skipped": 3, "failed": 0, "already": 0}
    assert [message["To"] for message in inbox.messages] == ["mike@contractors.test"]
    assert WeeklyReportDelivery.objects.filter(state=State.SKIPPED).first().error == (
        "No email for this report: add report recipients in CP → Finance."
    )


@time_machine.travel(datetime.datetime(2026, 5, 11, 3, 0, 5, tzinfo=datetime.UTC))
def test_the_beat_tick_sends_the_week_that_has_just_closed(week):
    send_weekly_reports.delay()  # no SMTP: each report is skipped, and so recorded

    assert {delivery.week_start for delivery in WeeklyReportDelivery.objects.all()} == {
        datetime.date(2026, 5, 4)
    }


def test_the_beat_schedule_is_sunday_11_pm_new_york_time():
    entry = settings.CELERY_BEAT_SCHEDULE["send-weekly-payment-reports"]

    assert entry["task"] == "finance.tasks.send_weekly_reports"
    assert entry["schedule"] == crontab(minute=0, hour=23, day_of_week="sun")
    assert settings.CELERY_TIMEZONE == "America/New_York"


def test_send_now_answers_at_once_and_the_worker_sends_and_lists_each_email(
    client, week, finance_smtp, fiona, django_capture_on_commit_callbacks
):
    client.force_login(fiona)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("finance:send_reports"), {"week": WEEK}, follow=True)
    assertContains(response, "Sending the week&#x27;s emails")
    assert finance_smtp.messages == []  # no SMTP inside the request
    assertContains(response, "No email has gone out for this week yet")

    with time_machine.travel(at(11, 3), tick=False):  # Sunday 11 PM in New York
        for task in queued:  # the worker picks the task up
            task()
    page = client.get(reverse("finance:reports"), {"week": WEEK})
    assert len(finance_smtp.messages) == len(WeeklyReportDelivery.objects.all()) == 4
    assertContains(page, "<td>Contractor · Mike Hernandez</td><td>mike@contractors.test</td>"
                   "<td>Sent</td><td>May 10, 11:00 PM EDT</td>", html=True)  # fmt: skip
