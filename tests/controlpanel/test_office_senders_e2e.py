"""CP → ⚙️ Office Settings in real Chromium: the owner filters the CTM numbers and picks
Garage's, fills its SMTP account (a local STARTTLS server with a login) and 📨 Send Test
shows Sent beside the button; a wrong password then shows Auth failed. 1366x900, no
sideways scroll. Port 465 / 587 picks its Security."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Office, Role
from messaging.models import Line, OfficeSmsSender
from tests import fake_smtp
from tests.e2e.conftest import CHROMIUM, browser_type_launch_args, sign_in  # noqa: F401
from tests.factories import OfficeFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
PASSWORD = "abcd efgh ijkl mnop"
SCREENSHOTS = os.environ.get("FIT_SCREENSHOTS")  # a folder: save the page as PNG


@pytest.fixture
def offices(transactional_db):
    UserFactory(email="owner@example.com", first_name="Olivia", role=Role.OWNER)
    garage = OfficeFactory(name="Garage")
    for name in ("General", "Joes Doors FL", "Sliding"):
        OfficeFactory(name=name, is_jobs_enabled=name != "Joes Doors FL")
    Line.objects.create(phone="+13055550100", label="Garage main", office=garage)
    Line.objects.create(phone="+13055550177", label="Garage Google Ads", office=garage)
    Line.objects.create(phone="+17865550142", label="Sliding main")
    Line.objects.create(phone="+18885550123", label="Billboard")
    return garage


@pytest.fixture
def mailbox(monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", fake_smtp.trusted_certificate())
    controller, inbox = fake_smtp.start(
        security="starttls", login=("desk@garagedoors.example", PASSWORD)
    )
    yield controller.port, inbox
    controller.stop()


def test_the_owner_sets_garages_senders_and_sends_a_test(
    offices,
    mailbox,
    sign_in,  # noqa: F811 - the e2e suite's fixture, imported above
    live_server,
    page,
):
    port, inbox = mailbox
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("owner@example.com")
    page.goto(f"{live_server.url}/cp/office-settings")
    card = page.locator(f"#office-{offices.pk}")

    card.get_by_label("Filter the CTM numbers for Garage").fill("google")
    numbers = card.get_by_label("CTM number of Garage")
    expect(numbers.locator("option:not([hidden])")).to_have_count(2)  # "No number" + Google
    expect(numbers.locator("option", has_text="(888) 555-0123")).to_be_disabled()
    numbers.select_option(label="(305) 555-0177 · Garage Google Ads · Garage")
    expect(card).to_contain_text("✓ Saved")
    expect(card).to_contain_text("Garage's SMS automations text from (305) 555-0177")
    assert OfficeSmsSender.objects.get(office=offices).line.label == "Garage Google Ads"

    card.get_by_label("From Email").fill("desk@garagedoors.example")
    card.get_by_label("From Name").fill("Garage Doors")
    card.get_by_label("SMTP Host").fill("127.0.0.1")
    card.get_by_label("Port").fill("465")
    expect(card.get_by_label("Security")).to_have_value("ssl")  # 465 speaks SSL
    card.get_by_label("Port").fill("587")
    expect(card.get_by_label("Security")).to_have_value("starttls")
    card.get_by_label("Port").fill(str(port))  # the local server's: the choice stays
    card.get_by_label("App Password").fill(PASSWORD)
    card.get_by_role("button", name="Save email sender").click()
    expect(card).to_contain_text("✓ already set — leave blank to keep")
    expect(card).not_to_contain_text("SMTP not fully configured")

    recipient = card.get_by_label("Recipient of the test email from Garage")
    expect(recipient).to_have_value("owner@example.com")  # the owner's own, to change
    card.get_by_role("button", name="📨 Send Test").click()
    expect(card.locator(f"#office-{offices.pk}-test-result")).to_contain_text(
        "✓ Sent — A test email went to owner@example.com."
    )
    assert [message["To"] for message in inbox.messages] == ["owner@example.com"]
    assert PASSWORD not in page.content()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "office_settings.png"), full_page=True)

    office = Office.objects.get(pk=offices.pk)
    office.smtp_password = "wrong-app-password"
    office.save(update_fields=["smtp_password"])
    card.get_by_role("button", name="📨 Send Test").click()
    expect(card.locator(f"#office-{offices.pk}-test-result")).to_contain_text(
        "✗ Auth failed — 127.0.0.1 refused the login of desk@garagedoors.example"
    )
    if SCREENSHOTS:
        card.screenshot(path=str(Path(SCREENSHOTS) / "office_settings_auth_failed.png"))
