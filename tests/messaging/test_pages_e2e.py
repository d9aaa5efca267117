"""CP → 📞 CTM Numbers, 💬 SMS Templates and 🚫 Possible opt-outs in real Chromium at
1366x900: no sideways scroll; the owner sets a number's office and Tracking Source; an
admin decides a possible opt-out. FIT_SCREENSHOTS=<folder> saves each page as PNG."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Role
from messaging.models import Line, Message, PossibleOptOut, SmsTemplate, Suppression, Thread
from tests.e2e.conftest import CHROMIUM, browser_type_launch_args, sign_in  # noqa: F401
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
SCREENSHOTS = os.environ.get("FIT_SCREENSHOTS")


@pytest.fixture
def numbers(transactional_db):
    UserFactory(email="owner@example.com", first_name="Olivia", role=Role.OWNER)
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    UserFactory(email="admin@example.com", first_name="Adam", role=Role.ADMIN, offices=[garage])
    Line.objects.create(phone="+13055550100", label="Sliding main", office=sliding)
    Line.objects.create(phone="+17865550111", label="Garage Google Ads", office=garage)
    Line.objects.create(phone="+18885550123", label="Billboard toll-free")
    Line.objects.create(phone="+19545550140", label="Joes forwarding", no_reply=True)
    SmsTemplate.objects.create(name="On my way", body="Your technician is on the way.")
    return garage


def _fits(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"{name} scrolls sideways ({width}px)"
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_the_owner_sets_a_numbers_office_and_tracking_source(
    page,
    sign_in,  # noqa: F811 - the e2e suite's fixture, imported above
    live_server,
    numbers,
):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("owner@example.com")
    page.goto(f"{live_server.url}/cp/ctm-numbers")
    expect(page.get_by_text("📵 Toll-free")).to_have_count(1)
    line = Line.objects.get(phone="+18885550123")
    row = page.locator(f"#line-{line.pk}")
    row.locator("select").select_option(label="Garage")
    row.locator("input[type=text]").fill("bb_billboard")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("saved.")).to_be_visible()
    line.refresh_from_db()
    assert (line.office, line.tracking_source) == (numbers, "bb_billboard")
    _fits(page, "cp_ctm_numbers")
    page.goto(f"{live_server.url}/cp/sms-templates")
    expect(page.get_by_text("Your technician is on the way.")).to_be_visible()
    _fits(page, "cp_sms_templates")


def test_an_admin_decides_a_possible_opt_out(
    page,
    sign_in,  # noqa: F811 - the e2e suite's fixture, imported above
    live_server,
    numbers,
):
    page.set_viewport_size({"width": 1366, "height": 900})
    line = Line.objects.get(phone="+17865550111")
    lead = LeadFactory(office=numbers, phone="+13055550142", first_name="Maria")
    thread = Thread.objects.create(
        line=line,
        customer_phone="+13055550142",
        customer_last10="3055550142",
        office=numbers,
        lead=lead,
    )
    message = Message.objects.create(
        thread=thread,
        direction="in",
        body="I need to cancel Tuesday's appointment, please don't text me",
        status="received",
    )
    PossibleOptOut.objects.create(message=message, last10="3055550142")
    sign_in("admin@example.com")
    page.goto(f"{live_server.url}/sms/opt-outs")
    expect(page.get_by_text("I need to cancel Tuesday's appointment")).to_be_visible()
    _fits(page, "sms_optouts")
    page.get_by_role("button", name="Opt out", exact=True).click()
    expect(page.get_by_text("Nothing to decide.")).to_be_visible()
    assert Suppression.objects.filter(last10="3055550142").exists()
