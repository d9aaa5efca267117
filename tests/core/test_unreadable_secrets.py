"""A stored secret no key opens (a flipped bit, a changed FIELD_ENCRYPTION_KEY) reads as
not set: every page still answers, the owner is told on the CP tile and the settings page,
and the audit log gets one entry per unreadable value."""

import base64

import pytest
import time_machine
from django.db import connection
from pytest_django.asserts import assertContains, assertNotContains

from booking.services import create_embed
from contractors.geocoding import google_api_key
from crm.controlpanel.models import AppSettings
from crm.controlpanel.services import set_google_places_key
from crm.timeline.models import AuditEvent
from finance.models import FinanceSettings
from finance.services import save_finance_settings
from tests.booking.conftest import TUESDAY_MORNING, embed_fields

pytestmark = pytest.mark.django_db

GOOGLE_KEY = "AIzaSyD-stored-browser-key-0123456789"
SMTP_PASSWORD = "app-password-1234"
OTHER_KEY = "aNjYGW7m3TaJh5oFJyk4zgLsUm1Y2ULZtXJ2Pp4L0Ew="
GOOGLE_NOTICE = "The stored Google Places API key can&#x27;t be decrypted: enter it again."
SMTP_NOTICE = "The stored SMTP password can&#x27;t be decrypted: enter it again."
OWNER_PAGES = [
    "/contractors",
    "/service-areas",
    "/jobs",
    "/jobs/new",
    "/cp/google-places",
    "/cp/app-settings",
    "/cp/finance-settings",
]
BOOKING_STEP = "/book/sliding?service=1&slot=2025-01-14T12"  # the step with the Places key


def flip_a_bit(table: str, column: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 (fixed names)
        sealed = cursor.fetchone()[0]
        raw = bytearray(base64.b64decode(sealed.removeprefix("v1:")))
        raw[-1] ^= 1
        tampered = "v1:" + base64.b64encode(bytes(raw)).decode()
        cursor.execute(f"UPDATE {table} SET {column} = %s", [tampered])  # noqa: S608


@pytest.fixture
def stored_secrets(owner):
    set_google_places_key(actor=owner, api_key=GOOGLE_KEY)
    save_finance_settings(
        actor=owner,
        smtp_host="smtp.gmail.com",
        smtp_password=SMTP_PASSWORD,
        from_email="finance@bookback.test",
    )


@pytest.fixture(params=["a flipped bit", "a changed key"])
def unreadable_secrets(request, stored_secrets, settings):
    if request.param == "a flipped bit":
        flip_a_bit("controlpanel_appsettings", "google_places_api_key")
        flip_a_bit("finance_financesettings", "smtp_password")
    else:
        settings.FIELD_ENCRYPTION_KEY = OTHER_KEY


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.usefixtures("unreadable_secrets")
@pytest.mark.parametrize("url", OWNER_PAGES)
def test_every_page_that_reads_a_secret_still_answers_for_the_owner(owner_client, url):
    assert owner_client.get(url).status_code == 200


@pytest.mark.usefixtures("unreadable_secrets")
def test_the_booking_step_still_answers_and_offers_no_places_key(client, office, owner):
    create_embed(actor=owner, **embed_fields(office))
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get(BOOKING_STEP)
    assert page.status_code == 200
    assertContains(page, "Your Info")
    assertNotContains(page, "data-places-key")


@pytest.mark.usefixtures("unreadable_secrets")
def test_an_unreadable_secret_reads_as_not_set(settings):
    settings.GOOGLE_MAPS_API_KEY = ""
    assert google_api_key() == ""  # offline ZIP data, as without a key
    finance_settings = FinanceSettings.load()
    assert finance_settings.smtp_password == ""
    assert finance_settings.smtp_host == "smtp.gmail.com"  # the rest of the row is intact


@pytest.mark.usefixtures("unreadable_secrets")
def test_the_owner_is_told_on_the_tile_and_on_the_settings_page(owner_client):
    index = owner_client.get("/cp/")
    assertContains(index, GOOGLE_NOTICE)
    assertContains(index, SMTP_NOTICE)
    assertContains(owner_client.get("/cp/google-places"), GOOGLE_NOTICE)
    assertContains(owner_client.get("/cp/finance-settings"), SMTP_NOTICE)


@pytest.mark.usefixtures("stored_secrets")
def test_readable_secrets_bring_no_notice_and_no_audit_entry(owner_client):
    for url in ["/cp/", "/cp/google-places", "/cp/finance-settings"]:
        assertNotContains(owner_client.get(url), "can&#x27;t be decrypted")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SECRET_UNREADABLE).exists()


@pytest.mark.usefixtures("unreadable_secrets")
def test_each_unreadable_value_is_audited_once_however_many_pages_read_it(owner_client):
    for _ in range(3):
        for url in ["/cp/", "/jobs", "/contractors", *OWNER_PAGES[-3:]]:
            owner_client.get(url)

    entries = AuditEvent.objects.filter(kind=AuditEvent.Kind.SECRET_UNREADABLE)
    assert sorted(entry.metadata["field"] for entry in entries) == [
        "controlpanel.AppSettings.google_places_api_key",
        "finance.FinanceSettings.smtp_password",
    ]
    texts = " ".join(entry.text for entry in entries)
    assert "Google Places API key can't be decrypted" in texts
    assert GOOGLE_KEY not in texts and SMTP_PASSWORD not in texts


def test_a_value_that_breaks_again_after_being_entered_again_is_audited_again(owner):
    set_google_places_key(actor=owner, api_key=GOOGLE_KEY)
    flip_a_bit("controlpanel_appsettings", "google_places_api_key")
    AppSettings.load()
    set_google_places_key(actor=owner, api_key=GOOGLE_KEY)
    flip_a_bit("controlpanel_appsettings", "google_places_api_key")
    AppSettings.load()
    AppSettings.load()

    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SECRET_UNREADABLE).count() == 2


@pytest.mark.usefixtures("unreadable_secrets")
def test_entering_the_google_key_again_clears_the_notice(owner_client):
    owner_client.post("/cp/google-places", {"google_places_api_key": "AIza-entered-again"})

    assert AppSettings.load().google_places_api_key == "AIza-entered-again"
    assertNotContains(owner_client.get("/cp/"), GOOGLE_NOTICE)
    assertNotContains(owner_client.get("/cp/google-places"), GOOGLE_NOTICE)


@pytest.mark.usefixtures("unreadable_secrets")
def test_saving_the_google_page_blank_keeps_the_unreadable_key(owner_client):
    owner_client.post("/cp/google-places", {"google_places_api_key": ""})

    assertContains(owner_client.get("/cp/google-places"), GOOGLE_NOTICE)
    assert not AuditEvent.objects.filter(text="Google Places API key cleared").exists()


@pytest.mark.usefixtures("unreadable_secrets")
def test_removing_an_unreadable_google_key_clears_the_notice(owner_client):
    owner_client.post("/cp/google-places", {"google_places_api_key": "", "remove": "on"})

    assertNotContains(owner_client.get("/cp/google-places"), GOOGLE_NOTICE)
    assert AuditEvent.objects.filter(text="Google Places API key cleared").exists()


def test_saving_other_finance_settings_keeps_a_password_the_right_key_opens_again(owner, settings):
    right_key = settings.FIELD_ENCRYPTION_KEY
    save_finance_settings(
        actor=owner, smtp_host="smtp.gmail.com", smtp_password=SMTP_PASSWORD,
        from_email="finance@bookback.test",
    )  # fmt: skip
    settings.FIELD_ENCRYPTION_KEY = OTHER_KEY
    save_finance_settings(
        actor=owner, smtp_host="smtp.office365.com", from_email="finance@bookback.test"
    )

    settings.FIELD_ENCRYPTION_KEY = right_key
    saved = FinanceSettings.load()
    assert saved.smtp_host == "smtp.office365.com"
    assert saved.smtp_password == SMTP_PASSWORD


@pytest.mark.usefixtures("unreadable_secrets")
def test_entering_the_smtp_password_again_clears_the_notice(owner_client):
    owner_client.post(
        "/cp/finance-settings",
        {
            "smtp_host": "smtp.gmail.com",
            "smtp_port": "587",
            "smtp_password": "new-app-password",
            "smtp_use_tls": "on",
            "from_email": "finance@bookback.test",
        },
    )

    assert FinanceSettings.load().smtp_password == "new-app-password"
    assertNotContains(owner_client.get("/cp/"), SMTP_NOTICE)
    assertNotContains(owner_client.get("/cp/finance-settings"), SMTP_NOTICE)
