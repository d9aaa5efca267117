"""CP → ⚙️ Office Settings: each office's CTM number, SMTP sender and 📨 Send Test."""

import pytest
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Office, Role
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from messaging.models import Line, OfficeSmsSender
from tests import fake_smtp
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "abcd efgh ijkl mnop"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.fixture
def mailbox(monkeypatch):
    """Garage's mail account: STARTTLS with a login, trusted by this test's clients."""
    monkeypatch.setenv("SSL_CERT_FILE", fake_smtp.trusted_certificate())
    controller, inbox = fake_smtp.start(
        security="starttls", login=("desk@garagedoors.example", PASSWORD)
    )
    yield controller.port, inbox
    controller.stop()


def email_data(office: Office, **changes) -> dict:
    data = {
        "smtp_from_email": "desk@garagedoors.example",
        "smtp_from_name": "Garage Doors",
        "smtp_host": "smtp.gmail.com",
        "smtp_port": "587",
        "smtp_security": "starttls",
        "smtp_password": PASSWORD,
        **changes,
    }
    return {f"office-{office.pk}-{name}": value for name, value in data.items()}


def configure(office: Office, port: int, password: str = PASSWORD) -> None:
    Office.objects.filter(pk=office.pk).update(
        smtp_from_email="desk@garagedoors.example",
        smtp_from_name="Garage Doors",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="starttls",
    )
    office.refresh_from_db()
    office.smtp_password = password
    office.save(update_fields=["smtp_password"])


def test_each_card_offers_the_ctm_numbers_the_smtp_fields_and_send_test(
    client, owner, garage, django_assert_num_queries
):
    OfficeFactory(name="Sliding")
    Line.objects.create(phone="+13055550100", label="Garage main", office=garage)
    Line.objects.create(phone="+18885550123", label="Billboard")
    client.force_login(owner)

    with django_assert_num_queries(5):  # session, user, offices, lines, senders
        page = client.get(reverse("controlpanel:office_settings"))

    assertContains(page, "(305) 555-0100 · Garage main · Garage")
    assertContains(page, "(888) 555-0123 · Billboard (toll-free: can&#x27;t text)")
    assertContains(page, "Filter by phone, label or office")
    assertContains(page, "No CTM number: Garage's SMS automations fail until one is picked.")
    assertContains(page, f'name="office-{garage.pk}-smtp_host"')
    assertContains(page, "SMTP not fully configured: fill in From Email, SMTP Host, App Password.")
    assertContains(page, "📨 Send Test", count=4)  # two cards: a title and a button each
    assertContains(page, "🔧 Jobs enabled", count=2)


def test_the_page_reads_the_same_number_of_queries_for_more_offices_and_lines(
    client, owner, django_assert_max_num_queries
):
    for number in range(12):
        office = OfficeFactory(name=f"Office {number}")
        line = Line.objects.create(phone=f"+1305555{number:04d}", office=office)
        OfficeSmsSender.objects.create(office=office, line=line)
    client.force_login(owner)

    with django_assert_max_num_queries(5):
        client.get(reverse("controlpanel:office_settings"))


def test_picking_a_ctm_number_saves_it_as_the_offices_sms_sender(client, owner, garage):
    line = Line.objects.create(phone="+13055550100", label="Garage main", office=garage)
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:set_office_sms_line", args=[garage.pk]),
        {"line": line.pk},
        headers=HTMX,
    )

    assertContains(response, "✓ Saved")
    assertContains(response, "Garage's SMS automations text from (305) 555-0100 Garage main.")
    assert OfficeSmsSender.objects.get(office=garage).line == line
    entry = AuditEvent.objects.get(kind="office.settings_changed")
    assert entry.text == "CTM number of Garage set to (305) 555-0100 Garage main"
    assert entry.actor == owner
    event = DomainEvent.objects.get(name="office.senders_changed")
    assert event.payload == {"changed": ["sms_line"]} and event.office_id == garage.pk

    response = client.post(
        reverse("controlpanel:set_office_sms_line", args=[garage.pk]), {"line": ""}, headers=HTMX
    )
    assertContains(response, "No CTM number: Garage's SMS automations fail")
    assert not OfficeSmsSender.objects.filter(office=garage).exists()


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"phone": "+18885550123"}, "(888) 555-0123 is a toll-free number"),
        ({"phone": "+13055550100", "no_reply": True}, "(305) 555-0100 is a no-reply number"),
    ],
)
def test_a_number_that_cant_text_is_refused_and_nothing_changes(
    client, owner, garage, fields, refusal
):
    line = Line.objects.create(**fields)
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:set_office_sms_line", args=[garage.pk]),
        {"line": line.pk},
        headers=HTMX,
    )

    assertContains(response, f"{refusal}: texts can&#x27;t be sent from it. Pick another number.")
    assert not OfficeSmsSender.objects.exists()
    assert not AuditEvent.objects.filter(kind="office.settings_changed").exists()


def test_saving_the_smtp_sender_stores_the_password_encrypted_and_never_shows_it(
    client, owner, garage
):
    client.force_login(owner)
    url = reverse("controlpanel:save_office_email", args=[garage.pk])

    response = client.post(url, email_data(garage), headers=HTMX)

    assertContains(response, "✓ Saved")
    assertContains(response, "✓ already set — leave blank to keep")
    assertNotContains(response, PASSWORD)
    assertNotContains(response, "SMTP not fully configured")
    garage.refresh_from_db()
    assert (garage.smtp_from_email, garage.smtp_host, garage.smtp_port) == (
        "desk@garagedoors.example",
        "smtp.gmail.com",
        587,
    )
    assert garage.smtp_password == PASSWORD
    with connection.cursor() as cursor:
        cursor.execute("SELECT smtp_password FROM accounts_office WHERE id = %s", [garage.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and PASSWORD not in stored
    entry = AuditEvent.objects.get(kind="office.settings_changed")
    assert entry.text == (
        "Email sender of Garage changed: From Email, From Name, SMTP Host, App Password"
    )
    assert entry.metadata == {
        "changed": ["smtp_from_email", "smtp_from_name", "smtp_host", "smtp_password"]
    }
    assert PASSWORD not in str(DomainEvent.objects.get(name="office.senders_changed").payload)
    assertNotContains(client.get(reverse("controlpanel:office_settings")), PASSWORD)


def test_a_blank_password_keeps_the_stored_one(client, owner, garage):
    configure(garage, 587)
    client.force_login(owner)

    client.post(
        reverse("controlpanel:save_office_email", args=[garage.pk]),
        email_data(garage, smtp_password="", smtp_from_name="Garage Doors FL"),
        headers=HTMX,
    )

    garage.refresh_from_db()
    assert garage.smtp_password == PASSWORD and garage.smtp_from_name == "Garage Doors FL"
    entry = AuditEvent.objects.get(kind="office.settings_changed")
    assert entry.metadata == {"changed": ["smtp_from_name", "smtp_host"]}


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        (
            {"smtp_port": "465", "smtp_security": "starttls"},
            "Port 465 uses SSL: pick SSL, or port 587 for STARTTLS.",
        ),
        (
            {"smtp_port": "587", "smtp_security": "ssl"},
            "Port 587 uses STARTTLS: pick STARTTLS, or port 465 for SSL.",
        ),
        ({"smtp_host": "smtp gmail com"}, "The SMTP host is a name like smtp.gmail.com"),
        ({"smtp_from_email": "not-an-email"}, "Enter a valid email address."),
        ({"smtp_security": "none"}, "Select a valid choice."),
        ({"smtp_port": "0"}, "The port is a number: 587 (STARTTLS) or 465 (SSL)."),
    ],
)
def test_bad_smtp_settings_are_refused_and_nothing_changes(client, owner, garage, changes, refusal):
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:save_office_email", args=[garage.pk]),
        email_data(garage, **changes),
        headers=HTMX,
    )

    assertContains(response, refusal)
    assertNotContains(response, PASSWORD)
    garage.refresh_from_db()
    assert garage.smtp_host == "" and garage.smtp_password == ""
    assert not AuditEvent.objects.filter(kind="office.settings_changed").exists()


def test_send_test_reports_sent_and_the_email_arrives(client, owner, garage, mailbox):
    port, inbox = mailbox
    configure(garage, port)
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:send_office_test", args=[garage.pk]),
        {f"test-{garage.pk}-recipient": "owner@example.com"},
        headers=HTMX,
    )

    assertContains(response, "✓ Sent</strong> — A test email went to owner@example.com.")
    [message] = inbox.to("owner@example.com")
    assert message["From"] == "Garage Doors <desk@garagedoors.example>"


def test_send_test_with_a_wrong_password_reports_auth_failed(client, owner, garage, mailbox):
    port, inbox = mailbox
    configure(garage, port, password="wrong-app-password")
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:send_office_test", args=[garage.pk]),
        {f"test-{garage.pk}-recipient": "owner@example.com"},
        headers=HTMX,
    )

    assertContains(response, "✗ Auth failed</strong> — 127.0.0.1 refused the login")
    assertContains(response, "Check the From Email and the app password.")
    assertNotContains(response, "wrong-app-password")
    assert inbox.messages == []


def test_send_test_to_a_closed_port_reports_refused(client, owner, garage):
    configure(garage, fake_smtp.closed_port())
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:send_office_test", args=[garage.pk]),
        {f"test-{garage.pk}-recipient": "owner@example.com"},
        headers=HTMX,
    )

    assertContains(response, "✗ Refused</strong> — Nothing accepts connections at 127.0.0.1:")


def test_send_test_before_the_account_is_complete_says_what_is_missing(client, owner, garage):
    Office.objects.filter(pk=garage.pk).update(smtp_host="smtp.gmail.com")
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:send_office_test", args=[garage.pk]),
        {f"test-{garage.pk}-recipient": "owner@example.com"},
        headers=HTMX,
    )

    assertContains(
        response, "SMTP not fully configured for office Garage: fill in From Email, App Password."
    )


def test_switching_jobs_answers_only_its_own_part_of_the_card(client, owner, garage):
    client.force_login(owner)

    response = client.post(
        reverse("controlpanel:toggle_jobs_feature", args=[garage.pk]), {}, headers=HTMX
    )

    # Unsaved SMTP typing elsewhere on the card survives the swap.
    assertContains(response, f'id="office-{garage.pk}-jobs"')
    assertNotContains(response, "smtp_host")


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
)
def test_only_the_owner_sets_senders_or_sends_tests(client, garage, role):
    line = Line.objects.create(phone="+13055550100", office=garage)
    client.force_login(UserFactory(role=role, offices=[garage], partner_name="GDQ"))
    posts = [
        ("controlpanel:set_office_sms_line", {"line": line.pk}),
        ("controlpanel:save_office_email", email_data(garage)),
        ("controlpanel:send_office_test", {f"test-{garage.pk}-recipient": "x@example.com"}),
    ]

    for name, data in posts:
        response = client.post(reverse(name, args=[garage.pk]), data, headers=HTMX)
        assert response.status_code == 403
    assert client.get(reverse("controlpanel:office_settings")).status_code == 403

    garage.refresh_from_db()
    assert garage.smtp_host == "" and not OfficeSmsSender.objects.exists()
    assert not AuditEvent.objects.filter(kind="office.settings_changed").exists()


def test_an_app_password_no_key_opens_reads_as_missing_with_a_notice_audited_once(
    client, owner, garage, settings
):
    configure(garage, 587)
    settings.FIELD_ENCRYPTION_KEY = "aNjYGW7m3TaJh5oFJyk4zgLsUm1Y2ULZtXJ2Pp4L0Ew="
    client.force_login(owner)

    for _ in range(2):
        page = client.get(reverse("controlpanel:office_settings"))

    assertContains(page, "The stored App Password can&#x27;t be decrypted: enter it again.")
    assertContains(page, "SMTP not fully configured: fill in App Password.")
    assert AuditEvent.objects.filter(kind="secret.undecryptable").count() == 1


def test_without_javascript_the_forms_post_back_to_the_page(client, owner, garage):
    client.force_login(owner)
    url = reverse("controlpanel:save_office_email", args=[garage.pk])

    refused = client.post(url, email_data(garage, smtp_port="465"))
    assertContains(refused, "Port 465 uses SSL: pick SSL, or port 587 for STARTTLS.")
    assertContains(refused, "⚙️ Office Settings")  # the whole page, this card's form bound
    assertNotContains(refused, PASSWORD)

    saved = client.post(url, email_data(garage), follow=True)
    assertContains(saved, "Email sender of Garage saved.")
    garage.refresh_from_db()
    assert garage.smtp_host == "smtp.gmail.com"
