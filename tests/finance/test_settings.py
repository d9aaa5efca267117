"""CP → Finance settings (owner): the finance SMTP account, encrypted at rest; report
recipients; the outbound CTM number in E.164. Every change is audited, never a secret."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from finance.models import FinanceSettings
from finance.services import save_finance_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SMTP = {
    "smtp_host": "smtp.gmail.com",
    "smtp_port": 587,
    "smtp_username": "finance@bookback.test",
    "smtp_password": "app-password-1234",
    "from_email": "Finance@BookBack.test",
    "from_name": "BookBack Finance",
    "report_recipients": "books@bookback.test\nowner@bookback.test, books@bookback.test",
}


def stored_password() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT smtp_password FROM finance_financesettings")
        return cursor.fetchone()[0]


def test_the_owner_saves_the_finance_smtp_account(owner):
    save_finance_settings(actor=owner, **SMTP)

    saved = FinanceSettings.load()
    assert saved.smtp_password == "app-password-1234"
    assert "app-password" not in stored_password()  # AES-GCM at rest
    assert saved.from_email == "finance@bookback.test"
    assert saved.sender == "BookBack Finance <finance@bookback.test>"
    assert saved.recipients == ["books@bookback.test", "owner@bookback.test"]
    assert saved.is_smtp_configured
    entry = AuditEvent.objects.get(kind="finance.settings_changed")
    assert "smtp_password" in entry.text and "app-password" not in str(entry.metadata)


def test_the_outbound_ctm_number_is_one_of_the_ctm_numbers(owner):
    from messaging.models import Line

    line = Line.objects.create(phone="+13055550199", label="Finance")
    save_finance_settings(actor=owner, **SMTP, outbound_ctm_number=line)
    assert FinanceSettings.load().outbound_ctm_number == line
    save_finance_settings(actor=owner, **SMTP, outbound_ctm_number=None)
    assert FinanceSettings.load().outbound_ctm_number is None
    assert AuditEvent.objects.latest("id").metadata == {"changed": ["outbound_ctm_number"]}


def test_a_blank_password_keeps_the_stored_one(owner):
    save_finance_settings(actor=owner, **SMTP)

    save_finance_settings(
        actor=owner,
        **{
            **SMTP,
            "smtp_password": "",
            "smtp_port": 465,
            "smtp_use_tls": False,
            "smtp_use_ssl": True,
        },
    )

    saved = FinanceSettings.load()
    assert saved.smtp_password == "app-password-1234" and saved.smtp_port == 465
    assert AuditEvent.objects.latest("id").metadata == {
        "changed": ["smtp_port", "smtp_use_tls", "smtp_use_ssl"]
    }


def test_saving_the_same_values_writes_no_audit_entry(owner):
    save_finance_settings(actor=owner, **SMTP)
    save_finance_settings(actor=owner, **SMTP)

    assert AuditEvent.objects.filter(kind="finance.settings_changed").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"smtp_host": "smtp gmail.com"}, "without spaces"),
        ({"smtp_port": 0}, "port is a number"),
        ({"smtp_port": "x"}, "port is a number"),
        ({"smtp_use_ssl": True}, "not both"),
        ({"from_email": "finance"}, "not an email"),
        ({"from_email": ""}, "Enter the From email"),
        ({"report_recipients": "books@bookback.test, nope"}, "nope in Report recipients"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(owner, change, message):
    with pytest.raises(DomainError, match=message):
        save_finance_settings(actor=owner, **{**SMTP, **change})

    assert not FinanceSettings.load().smtp_host
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE_ADMIN, Role.ADMIN, Role.VIEWER])
def test_only_the_owner_changes_finance_settings(role):
    with pytest.raises(PermissionDenied):
        save_finance_settings(actor=UserFactory(role=role), **SMTP)
