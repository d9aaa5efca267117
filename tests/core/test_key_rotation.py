"""Key rotation: FIELD_ENCRYPTION_KEYS (newest first) still opens values sealed with an
older key, and `manage.py rotate_encryption_key` re-seals every one with the newest."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm.accounts.models import LoginCode
from crm.controlpanel.models import AppSettings
from crm.controlpanel.services import set_google_places_key
from crm.fields import decrypt, encrypt
from crm.timeline.models import AuditEvent
from finance.models import FinanceSettings
from finance.services import save_finance_settings
from tests.core.test_unreadable_secrets import flip_a_bit

pytestmark = pytest.mark.django_db

OLD_KEY = "jGWosI4KwD0tp86-wCAteOzIFxPqPKYWlp7afREjPTY="
NEW_KEY = "aNjYGW7m3TaJh5oFJyk4zgLsUm1Y2ULZtXJ2Pp4L0Ew="
GOOGLE_KEY = "AIzaSyD-rotated-key-0123456789"
SMTP_PASSWORD = "app-password-1234"


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608 (fixed names)
        return [row[0] for row in cursor.fetchall()]


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    return out.getvalue()


@pytest.fixture
def sealed_with_the_old_key(owner, settings):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS = OLD_KEY, []
    set_google_places_key(actor=owner, api_key=GOOGLE_KEY)
    save_finance_settings(
        actor=owner, smtp_host="smtp.gmail.com", smtp_password=SMTP_PASSWORD,
        from_email="finance@bookback.test",
    )  # fmt: skip
    LoginCode.objects.create(
        user=owner, code="K7QX2M", expires_at=timezone.now() + datetime.timedelta(minutes=10)
    )
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]


def test_the_newest_key_seals_and_every_listed_key_opens(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    sealed_before = encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    sealed_now = encrypt("secret")

    assert decrypt(sealed_before) == decrypt(sealed_now) == "secret"
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt(sealed_now) == "secret"
    with pytest.raises(ValueError):
        decrypt(sealed_before)


def test_the_key_list_wins_over_the_single_key(settings):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS = OLD_KEY, [NEW_KEY]
    sealed = encrypt("secret")

    settings.FIELD_ENCRYPTION_KEYS = []  # the single key alone: OLD_KEY
    with pytest.raises(ValueError):
        decrypt(sealed)


@pytest.mark.usefixtures("sealed_with_the_old_key")
def test_rotation_leaves_every_secret_to_the_new_key_alone(settings):
    output = rotate()

    assert "controlpanel.AppSettings.google_places_api_key: 1 re-encrypted" in output
    assert "finance.FinanceSettings.smtp_password: 1 re-encrypted" in output
    assert "accounts.LoginCode.code: 1 re-encrypted" in output
    assert "Done: 3 re-encrypted, 0 already current, 0 unreadable." in output
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped
    assert AppSettings.load().google_places_api_key == GOOGLE_KEY
    assert FinanceSettings.load().smtp_password == SMTP_PASSWORD
    assert LoginCode.objects.get().code == "K7QX2M"
    entry = AuditEvent.objects.get(kind=AuditEvent.Kind.SECRETS_ROTATED)
    assert entry.text == "3 stored secrets re-encrypted with the newest key"
    assert GOOGLE_KEY not in str(entry.metadata) and SMTP_PASSWORD not in str(entry.metadata)


@pytest.mark.usefixtures("sealed_with_the_old_key")
def test_a_second_run_changes_nothing():
    rotate()
    before = stored("finance_financesettings", "smtp_password")

    output = rotate()

    assert "Done: 0 re-encrypted, 3 already current, 0 unreadable." in output
    assert stored("finance_financesettings", "smtp_password") == before
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECRETS_ROTATED).count() == 1


@pytest.mark.usefixtures("sealed_with_the_old_key")
def test_a_value_no_key_opens_is_reported_and_left_unchanged(settings):
    flip_a_bit("finance_financesettings", "smtp_password")
    broken = stored("finance_financesettings", "smtp_password")

    output = rotate()  # returns: the command does not fail

    assert "No key opens finance.FinanceSettings.smtp_password (id 1)" in output
    assert "Done: 2 re-encrypted, 0 already current, 1 unreadable." in output
    assert stored("finance_financesettings", "smtp_password") == broken
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert AppSettings.load().google_places_api_key == GOOGLE_KEY
    entry = AuditEvent.objects.get(kind=AuditEvent.Kind.SECRETS_ROTATED)
    assert entry.metadata["unreadable"] == ["finance.FinanceSettings.smtp_password (id 1)"]
