"""Emailed reports: settings, schedule (11 PM New York), windows, one send per window and
recipient, retries after a failed send, through a real local SMTP server."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.reports.models import ReportDelivery, ReportEmailSettings
from crm.reports.services import save_email_settings, send_due_reports
from crm.reports.tasks import send_email_reports
from crm.timeline.models import AuditEvent
from tests import fake_smtp as smtp_server
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
ET = ZoneInfo("America/New_York")


def et(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ET)


@pytest.fixture
def owner():
    return UserFactory(role=Role.OWNER, first_name="Olivia", email="olivia@example.com")


@pytest.fixture
def sending(owner):
    """Reports to two recipients, all three kinds on."""

    def configure(**kinds):
        flags = {"send_daily": True, "send_weekly": True, "send_monthly": True} | kinds
        save_email_settings(actor=owner, recipients="a@example.com\nb@example.com", **flags)

    configure()
    return configure


def tick(now: datetime.datetime) -> int:
    cache.clear()  # each tick builds its report afresh (the cache lives a minute)
    with time_machine.travel(now, tick=False):
        return send_due_reports()


def subjects() -> list[str]:
    return sorted({message.subject for message in mail.outbox})


def test_the_daily_report_goes_out_at_11_pm_once_per_recipient(sending):
    sending(send_weekly=False, send_monthly=False)
    assert tick(et(2026, 12, 8, 22, 45)) == 0
    assert tick(et(2026, 12, 8, 23, 0)) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "b@example.com"]
    assert subjects() == ["Daily report · Dec 8, 2026 (ET)"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # one message each
    assert tick(et(2026, 12, 8, 23, 15)) == 0  # the second tick sends nothing
    assert tick(et(2026, 12, 9, 0, 15)) == 0  # nor one after midnight
    assert ReportDelivery.objects.filter(status="sent").count() == 2


def test_the_beat_task_sends_a_window_once_across_two_runs(sending):
    sending(send_weekly=False, send_monthly=False)
    with time_machine.travel(et(2026, 12, 8, 23, 0), tick=False):
        assert send_email_reports.delay().result == 2
        cache.clear()
        assert send_email_reports.delay().result == 0
    assert len(mail.outbox) == 2


def test_the_daily_report_covers_the_whole_new_york_day(sending, owner):
    sending(send_weekly=False, send_monthly=False)
    office = OfficeFactory(name="Sliding")
    # The old bug: a daily report held ~3 hours. Early morning, late evening, and the
    # days either side (which must not count).
    for received in (et(2026, 12, 8, 0, 5), et(2026, 12, 8, 22, 55)):
        LeadFactory(office=office, received_at=received)
    for received in (et(2026, 12, 7, 23, 55), et(2026, 12, 9, 0, 5)):
        LeadFactory(office=office, received_at=received)
    tick(et(2026, 12, 8, 23, 0))
    assert "Total Leads: 2\n" in mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert "<svg" in html and "Sliding" in html


def test_the_weekly_report_goes_out_on_sunday_night_for_monday_to_sunday(sending):
    sending(send_daily=False, send_monthly=False)
    assert tick(et(2026, 12, 5, 23, 0)) == 0  # Saturday
    assert tick(et(2026, 12, 6, 23, 0)) == 2  # Sunday
    assert subjects() == ["Weekly report · Nov 30 – Dec 6, 2026 (ET)"]
    delivery = ReportDelivery.objects.first()
    assert (delivery.kind, delivery.window_start, delivery.window_end) == (
        "weekly",
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 6),
    )
    assert tick(et(2026, 12, 6, 23, 30)) == 0


def test_the_monthly_report_goes_out_on_the_first_for_the_previous_month(sending):
    sending(send_daily=False, send_weekly=False)
    assert tick(et(2026, 12, 31, 23, 0)) == 0
    assert tick(et(2027, 1, 1, 22, 45)) == 0
    assert tick(et(2027, 1, 1, 23, 0)) == 2
    assert subjects() == ["Monthly report · Dec 1 – Dec 31, 2026 (ET)"]


def test_on_a_sunday_the_first_all_three_go_out_each_once(sending):
    # Nov 1, 2026: a Sunday, the 1st, and the day the clocks go back.
    assert tick(et(2026, 11, 1, 23, 0)) == 6
    assert subjects() == [
        "Daily report · Nov 1, 2026 (ET)",
        "Monthly report · Oct 1 – Oct 31, 2026 (ET)",
        "Weekly report · Oct 26 – Nov 1, 2026 (ET)",
    ]
    assert tick(et(2026, 11, 1, 23, 15)) == 0


def test_switching_a_report_on_sends_nothing_from_before(sending):
    sending(send_daily=False, send_weekly=False, send_monthly=False)
    tick(et(2026, 12, 8, 23, 0))
    sending(send_weekly=False, send_monthly=False)
    assert tick(et(2026, 12, 9, 10, 0)) == 0  # yesterday's 11 PM is long gone


def test_no_recipients_means_nothing_is_sent(owner):
    save_email_settings(
        actor=owner, recipients="", send_daily=False, send_weekly=False, send_monthly=False
    )
    ReportEmailSettings.objects.update(send_daily=True)  # ticked, but nobody to send to
    assert tick(et(2026, 12, 8, 23, 0)) == 0
    assert mail.outbox == [] and not ReportDelivery.objects.exists()


def test_a_failed_send_shows_as_failed_and_the_next_tick_sends_it(sending, settings):
    sending(send_weekly=False, send_monthly=False)
    controller, inbox = smtp_server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        inbox.refused.add("b@example.com")
        assert tick(et(2026, 12, 8, 23, 0)) == 1
        failed = ReportDelivery.objects.get(recipient="b@example.com")
        assert failed.status == "failed" and "Mailbox unavailable" in failed.error
        inbox.refused.clear()
        assert tick(et(2026, 12, 8, 23, 15)) == 1
        assert tick(et(2026, 12, 8, 23, 30)) == 0
    finally:
        controller.stop()
    assert [message["To"] for message in inbox.messages] == ["a@example.com", "b@example.com"]
    assert inbox.subjects == ["Daily report · Dec 8, 2026 (ET)"] * 2
    retried = ReportDelivery.objects.get(recipient="b@example.com")
    assert (retried.status, retried.attempts, retried.error) == ("sent", 2, "")


def test_bad_addresses_are_refused_and_nothing_is_saved(owner):
    with pytest.raises(DomainError, match="Not an email address: nope, x@"):
        save_email_settings(
            actor=owner,
            recipients="ok@example.com\nnope\nx@",
            send_daily=True,
            send_weekly=False,
            send_monthly=False,
        )
    assert ReportEmailSettings.load().recipients == ""
    assert not AuditEvent.objects.filter(kind="reports.email_settings_changed").exists()


def test_saving_cleans_the_list_and_is_audited(owner):
    save_email_settings(
        actor=owner,
        recipients="A@Example.com, b@example.com;\n\na@example.com",
        send_daily=True,
        send_weekly=False,
        send_monthly=True,
    )
    assert ReportEmailSettings.load().recipient_list == ["a@example.com", "b@example.com"]
    event = AuditEvent.objects.get(kind="reports.email_settings_changed")
    assert event.actor == owner and "daily, monthly to 2 recipient(s)" in event.text


def test_a_report_ticked_with_no_recipient_is_refused(owner):
    with pytest.raises(DomainError, match="at least one recipient"):
        save_email_settings(
            actor=owner, recipients=" ", send_daily=True, send_weekly=False, send_monthly=False
        )


# CP → 📧 Email Settings


def test_the_owner_saves_the_settings_from_the_cp_page(client, owner):
    client.force_login(owner)
    url = reverse("reports:email_settings")
    response = client.post(
        url, {"recipients": "a@example.com\nb@example.com", "send_weekly": "on"}, follow=True
    )
    assert "Email settings saved." in response.content.decode()
    current = ReportEmailSettings.load()
    assert (current.send_daily, current.send_weekly, current.send_monthly) == (False, True, False)


def test_a_bad_address_on_the_cp_page_says_which_and_keeps_what_was_typed(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("reports:email_settings"), {"recipients": "a@example.com\nnot-an-address"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not an email address: not-an-address" in page
    assert "not-an-address</textarea>" in page
    assert ReportEmailSettings.load().recipients == ""


def test_the_cp_tile_leads_to_the_page(client, owner):
    client.force_login(owner)
    page = client.get(reverse("controlpanel:index")).content.decode()
    assert "📧" in page and reverse("reports:email_settings") in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.FINANCE_ADMIN, Role.VIEWER])
def test_only_the_owner_opens_the_email_settings(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("reports:email_settings")).status_code == 403
    assert client.post(reverse("reports:email_test")).status_code == 403
    assert mail.outbox == []


def test_last_sends_lists_failures_in_a_fixed_number_of_queries(
    client, owner, django_assert_num_queries
):
    for day in range(1, 21):
        ReportDelivery.objects.create(
            kind="daily",
            window_start=datetime.date(2026, 11, day),
            window_end=datetime.date(2026, 11, day),
            recipient="a@example.com",
            status="failed" if day == 20 else "sent",
            error="550 5.1.1 Mailbox unavailable" if day == 20 else "",
        )
    client.force_login(owner)
    client.get(reverse("reports:email_settings"))  # warm the session and caches
    # session, user, settings row, deliveries
    with django_assert_num_queries(4):
        page = client.get(reverse("reports:email_settings")).content.decode()
    assert "Failed" in page and "550 5.1.1 Mailbox unavailable" in page
    assert page.count("<tr>") == 21  # the head and 20 sends


def test_send_a_test_now_mails_todays_report_to_the_owner(client, owner):
    client.force_login(owner)
    response = client.post(reverse("reports:email_test"), follow=True)
    assert "Test report sent to olivia@example.com." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["olivia@example.com"] and message.subject.startswith("Test report · ")
    assert not ReportDelivery.objects.exists()
