"""📱 SMS panel in Chromium: a text arrives live, the agent answers, resolves, and a STOP
reaches the lead's timeline."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Office
from messaging import services
from messaging.models import Line, SmsTemplate
from tests.factories import LeadFactory

SHOTS = Path("/tmp")
CUSTOMER = "+17865550142"


@pytest.fixture
def garage_line(people):
    garage = Office.objects.get(name="Garage")
    LeadFactory(office=garage, first_name="Carmen", last_name="Diaz", phone=CUSTOMER)
    SmsTemplate.objects.create(name="On our way", body="Our technician is on the way.")
    return Line.objects.create(phone="+13055550100", label="Garage main", office=garage)


def texts_in(line, body: str, message_id: str):
    """The customer's text, as the carrier's webhook hands it over."""
    services.receive_inbound(
        line=line, from_phone=CUSTOMER, body=body, provider_message_id=message_id, media=()
    )


def test_an_agent_answers_a_live_text_resolves_it_and_sees_the_stop(
    garage_line, sign_in, live_server
):
    page = sign_in("agent@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    sms_button = page.get_by_role("link", name="📱 SMS")
    sms_button.click()
    panel = page.locator("#left-panel")
    expect(panel).to_have_class("panel-left is-open")
    expect(panel).to_contain_text("No texts yet.")

    texts_in(garage_line, "Hi, is Tuesday still on?", "e2e-1")
    # The open panel polls every second: the row arrives without a reload.
    row = panel.locator(".sms-row", has_text="Carmen Diaz")
    expect(row).to_contain_text("Hi, is Tuesday still on?", timeout=2_500)
    expect(sms_button.locator(".count-badge")).to_have_text("1", timeout=2_500)

    row.click()
    thread = panel.locator("#sms-thread")
    expect(thread).to_contain_text("to (305) 555-0100 Garage main · Garage")
    box = thread.get_by_label("Reply")
    box.fill("Yes, see you at 10")
    expect(thread.locator("[data-sms-counter]")).to_have_text("18 / 160")
    box.press("Enter")
    expect(thread.locator(".sms-msg--out")).to_contain_text("Yes, see you at 10")
    expect(box).to_have_value("")

    thread.get_by_text("📋 Templates").click()
    thread.get_by_role("menuitem", name="On our way").click()
    expect(box).to_have_value("Our technician is on the way.")
    box.press("Shift+Enter")
    box.type("Bring the remote.")
    box.press("Enter")
    last_bubble = thread.locator(".sms-msg--out .sms-msg__bubble").last
    expect(last_bubble).to_contain_text("Bring the remote.")
    assert last_bubble.inner_html() == "Our technician is on the way.<br>Bring the remote."

    thread.get_by_role("button", name="✓ Resolve").click()
    expect(sms_button.locator(".count-badge")).to_have_count(0, timeout=2_500)
    expect(sms_button).not_to_have_css("animation-name", "pulse")

    texts_in(garage_line, "STOP", "e2e-2")
    expect(thread).to_contain_text("🚫 This number opted out of texts", timeout=2_500)
    expect(sms_button.locator(".count-badge")).to_have_text("1", timeout=2_500)
    _screenshots(page, live_server)

    thread.get_by_role("link", name="Carmen Diaz").click()
    lead_panel = page.locator("#right-panel")
    expect(lead_panel).to_have_class("panel-right is-open")
    expect(lead_panel).to_contain_text('🚫 SMS opt-out — recipient replied "STOP"')


def _screenshots(page, live_server):
    """The panel open on a thread at a laptop's size and a phone's (LOOKED at by hand)."""
    page.screenshot(path=str(SHOTS / "sms_panel_1366.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "sms_panel_390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_viewer_reads_texts_without_a_composer(people, garage_line, sign_in):
    from crm.accounts.models import User

    viewer = User.objects.get(email="viewer@example.com")
    viewer.offices.add(garage_line.office)
    texts_in(garage_line, "Any update?", "e2e-viewer")
    page = sign_in("viewer@example.com")
    page.get_by_role("link", name="📱 SMS").click()
    page.locator(".sms-row", has_text="Carmen Diaz").click()
    thread = page.locator("#sms-thread")
    expect(thread).to_contain_text("Any update?")
    expect(thread).to_contain_text("Read-only")
    expect(thread.get_by_label("Reply")).to_have_count(0)


def test_partners_have_no_sms_button(people, sign_in):
    page = sign_in("partner@example.com")
    expect(page.get_by_role("link", name="📱 SMS")).to_have_count(0)


def test_under_debug_an_agent_texts_in_as_a_customer(garage_line, sign_in, settings):
    settings.DEBUG = True
    page = sign_in("agent@example.com")
    page.get_by_role("link", name="📱 SMS").click()
    page.get_by_role("link", name="🧪 Simulate inbound").click()
    modal = page.locator("#modal")
    page.get_by_label("From (customer)").fill("(786) 555-0111")
    page.get_by_label("Text").fill("Do you fix rollers?")
    page.get_by_role("button", name="Text in").click()
    expect(modal).to_contain_text("Received")
    expect(page.get_by_label("Text")).to_have_value("")
    # Done: Close asks nothing (a dismissed "Close without saving?" would keep it open).
    modal.locator(".modal__foot").get_by_role("button", name="Close").click()
    expect(modal).to_have_class("modal-backdrop")
    row = page.locator(".sms-row", has_text="(786) 555-0111")
    expect(row).to_contain_text("Do you fix rollers?", timeout=2_500)
