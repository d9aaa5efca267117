"""messaging.senders.office_senders: who an office's automations send as, and the two
refusals the automation log shows when one half is missing."""

import pytest
from django.core.mail import EmailMessage

from crm import mail
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from messaging.models import Line, OfficeSmsSender
from messaging.senders import office_senders, set_office_sms_line
from tests import fake_smtp
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


def give_smtp(office, *, port: int = 587, password: str = "app-password") -> None:
    office.smtp_from_email = "desk@garagedoors.example"
    office.smtp_from_name = "Garage Doors"
    office.smtp_host = "127.0.0.1"
    office.smtp_port = port
    office.smtp_password = password
    office.save()


def give_line(office) -> Line:
    line = Line.objects.create(phone="+13055550100", label="Garage main", office=office)
    OfficeSmsSender.objects.create(office=office, line=line)
    return line


def test_an_office_without_a_ctm_number_is_refused_by_name(garage):
    give_smtp(garage)

    with pytest.raises(DomainError) as refusal:
        office_senders(garage)

    assert refusal.value.message == "No CTM number configured for office Garage"


@pytest.mark.parametrize(
    "blank", ["smtp_from_email", "smtp_host", "smtp_password"], ids=lambda name: name
)
def test_an_office_with_part_of_an_smtp_account_is_refused_by_name(garage, blank):
    give_line(garage)
    give_smtp(garage)
    setattr(garage, blank, "")
    garage.save()

    garage.refresh_from_db()

    with pytest.raises(DomainError) as refusal:
        office_senders(garage)

    assert refusal.value.message == "SMTP not fully configured for office Garage"


def test_a_configured_office_sends_texts_from_its_line_and_email_through_its_account(
    garage, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", fake_smtp.trusted_certificate())
    controller, inbox = fake_smtp.start(
        security="starttls", login=("desk@garagedoors.example", "app-password")
    )
    try:
        line = give_line(garage)
        give_smtp(garage, port=controller.port)
        garage.refresh_from_db()

        senders = office_senders(garage)
        EmailMessage(
            "Your appointment",
            "See you Tuesday.",
            senders.smtp.sender,
            ["client@example.com"],
            connection=mail.connection(senders.smtp),
        ).send()
    finally:
        controller.stop()

    assert senders.sms_line == line
    assert senders.smtp.security == mail.Security.STARTTLS
    [message] = inbox.to("client@example.com")
    assert message["From"] == "Garage Doors <desk@garagedoors.example>"


def test_a_number_gone_from_the_ctm_list_is_refused(garage, owner):
    with pytest.raises(DomainError) as refusal:
        set_office_sms_line(actor=owner, office=garage, line_id=999)

    assert refusal.value.message == "That number is no longer in the CTM list: reload the page."
    assert not OfficeSmsSender.objects.exists()


def test_picking_the_same_number_again_writes_nothing(garage, owner):
    line = give_line(garage)

    assert set_office_sms_line(actor=owner, office=garage, line_id=line.pk) == line

    assert not AuditEvent.objects.filter(kind="office.settings_changed").exists()


def test_a_text_needs_only_the_ctm_number_and_an_email_only_the_smtp_account(garage):
    line = give_line(garage)

    assert office_senders(garage, channel="sms").sms_line == line
    assert office_senders(garage, channel="sms").smtp is None
    with pytest.raises(DomainError, match="^SMTP not fully configured for office Garage$"):
        office_senders(garage, channel="email")

    OfficeSmsSender.objects.all().delete()
    give_smtp(garage)
    garage.refresh_from_db()
    assert office_senders(garage, channel="email").smtp.host == "127.0.0.1"
    with pytest.raises(DomainError, match="^No CTM number configured for office Garage$"):
        office_senders(garage, channel="sms")
