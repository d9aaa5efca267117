"""crm/mail.py against real SMTP servers on 127.0.0.1: the one connection builder and
📨 Send Test's plain-word outcomes."""

import datetime
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.mail import EmailMessage

from crm import mail
from finance.mailing import finance_connection, send_weekly_reports
from finance.models import FinanceSettings
from jobs.models import Status as JobStatus
from tests import fake_smtp
from tests.factories import ContractorFactory, JobFactory, JobPartnerFactory, OfficeFactory

LOGIN = ("desk@garagedoors.example", "app-password-1234")


@pytest.fixture
def mail_server(monkeypatch):
    """Starts fake mail accounts (trusted by this test's TLS clients); stops them after."""
    monkeypatch.setenv("SSL_CERT_FILE", fake_smtp.trusted_certificate())
    controllers = []

    def start(security: str, login=LOGIN):
        controller, inbox = fake_smtp.start(security=security, login=login)
        controllers.append(controller)
        return controller.port, inbox

    yield start
    for controller in controllers:
        controller.stop()


def config_for(port: int, security: str, **changes) -> mail.SmtpConfig:
    config = mail.SmtpConfig(
        host="127.0.0.1",
        port=port,
        username=LOGIN[0],
        password=LOGIN[1],
        from_email=LOGIN[0],
        from_name="Garage Doors",
        security=security,
    )
    return replace(config, **changes)


@pytest.mark.parametrize("security", [mail.Security.STARTTLS, mail.Security.SSL])
def test_send_test_delivers_through_an_encrypted_login(mail_server, security):
    port, inbox = mail_server(security)

    result = mail.send_test(config_for(port, security), "owner@example.com")

    assert result.is_sent and result.label == "Sent"
    assert result.message == "A test email went to owner@example.com. Check its inbox (and spam)."
    [message] = inbox.to("owner@example.com")
    assert message["From"] == "Garage Doors <desk@garagedoors.example>"
    assert message["Subject"] == "BookBack CRM: test email"


def test_a_wrong_app_password_is_an_auth_failure(mail_server):
    port, inbox = mail_server(mail.Security.STARTTLS)

    result = mail.send_test(
        config_for(port, mail.Security.STARTTLS, password="typo"), "owner@example.com"
    )

    assert result.outcome == "auth_failed" and result.label == "Auth failed"
    assert result.message.startswith("127.0.0.1 refused the login of desk@garagedoors.example (535")
    assert result.message.endswith("Check the From Email and the app password.")
    assert "typo" not in result.message
    assert inbox.messages == []


def test_a_closed_port_is_refused():
    port = fake_smtp.closed_port()

    result = mail.send_test(config_for(port, mail.Security.STARTTLS), "owner@example.com")

    assert result.outcome == "refused" and result.label == "Refused"
    assert result.message == (
        f"Nothing accepts connections at 127.0.0.1:{port}. Check the host and the port."
    )


def test_a_server_that_never_answers_times_out():
    with fake_smtp.silent_port() as port:
        started = time.monotonic()
        result = mail.send_test(
            config_for(port, mail.Security.STARTTLS, timeout=0.5), "owner@example.com"
        )

    assert time.monotonic() - started < 5
    assert result.outcome == "timeout" and result.label == "Timeout"
    assert result.message == (
        f"127.0.0.1:{port} didn't answer within 0.5 seconds. Check the host and the port "
        "(587 uses STARTTLS, 465 uses SSL)."
    )


def test_ssl_spoken_to_a_starttls_port_says_the_encryption_failed(mail_server):
    port, _ = mail_server(mail.Security.STARTTLS)

    result = mail.send_test(config_for(port, mail.Security.SSL), "owner@example.com")

    assert result.outcome == "tls_failed"
    assert "Port 587 uses STARTTLS, 465 uses SSL." in result.message


def test_a_refused_recipient_is_named_with_the_servers_reply(mail_server):
    port, inbox = mail_server(mail.Security.STARTTLS)
    inbox.refused.add("gone@example.com")

    result = mail.send_test(config_for(port, mail.Security.STARTTLS), "gone@example.com")

    assert result.outcome == "recipient_refused"
    assert result.message == (
        "127.0.0.1 won't deliver to gone@example.com (550 5.1.1 Mailbox unavailable)."
    )


def test_an_unknown_host_is_named():
    config = config_for(587, mail.Security.STARTTLS, host="smtp.nowhere.invalid", timeout=2)

    result = mail.send_test(config, "owner@example.com")

    assert result.outcome == "host_not_found"
    assert result.message == "No server named smtp.nowhere.invalid was found."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("use_tls", "use_ssl", "security"),
    [(True, False, mail.Security.STARTTLS), (False, True, mail.Security.SSL)],
)
def test_the_finance_account_connects_through_crm_mail(mail_server, use_tls, use_ssl, security):
    port, inbox = mail_server(security, login=("reports@bookback.example", "finance-pass"))
    FinanceSettings.objects.create(
        pk=1,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username="reports@bookback.example",
        smtp_password="finance-pass",
        smtp_use_tls=use_tls,
        smtp_use_ssl=use_ssl,
        from_email="reports@bookback.example",
    )

    connection = finance_connection(FinanceSettings.load())
    sent = EmailMessage(
        "Weekly", "Body", "reports@bookback.example", ["k@example.com"], connection=connection
    ).send()

    assert sent == 1
    assert [message["Subject"] for message in inbox.to("k@example.com")] == ["Weekly"]


@pytest.mark.django_db
def test_the_weekly_payment_reports_go_out_through_an_ssl_finance_account(mail_server):
    port, inbox = mail_server(mail.Security.SSL, login=("reports@bookback.example", "fin-pass"))
    FinanceSettings.objects.create(
        pk=1,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username="reports@bookback.example",
        smtp_password="fin-pass",
        smtp_use_tls=False,
        smtp_use_ssl=True,
        from_email="reports@bookback.example",
        from_name="BookBack Finance",
    )
    JobFactory(
        office=OfficeFactory(name="Sliding"),
        source=JobPartnerFactory(name="GDQ", keep_rate=Decimal("35")),
        contractor=ContractorFactory(name="Mike Hernandez", report_email="mike@example.com"),
        status=JobStatus.DONE,
        closing_total=Decimal("900.00"),
        parts_total=Decimal("120.50"),
        profit_share=Decimal("30.00"),
        status_changed_at=datetime.datetime(2026, 5, 5, 14, tzinfo=datetime.UTC),
    )

    counts = send_weekly_reports(week_start=datetime.date(2026, 5, 4))

    assert counts["sent"] == 1 and counts["failed"] == 0
    [report] = inbox.to("mike@example.com")
    assert report["From"] == "BookBack Finance <reports@bookback.example>"
