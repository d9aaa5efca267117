"""Callback statuses in the lead panel at 1366x900: the picker offers the next snooze slot,
saves only on confirm, refuses a past time; a blank Irrelevant reason is said beside it."""

import datetime
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Lead, Status
from leads.services.working import next_snooze_slot
from tests.factories import LeadFactory, OfficeFactory, lead_source

SCREENSHOTS = Path("/tmp")


def picker_value(lead, when) -> str:
    return when.astimezone(lead.local_zone).strftime("%Y-%m-%dT%H:%M")


def test_an_overdue_lead_moved_to_consultation_call_gets_a_future_time(
    people, sign_in, page, live_server
):
    garage = OfficeFactory(name="Garage")
    overdue = timezone.now() - datetime.timedelta(hours=3)
    lead = LeadFactory(
        office=garage,
        first_name="Olga",
        last_name="Overdue",
        source=lead_source("yelp"),
        status=Status.NEEDS_FOLLOW_UP,
        next_contact_at=overdue,
    )
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 1366, "height": 900})
    page = sign_in("agent@example.com")
    page.goto(f"{live_server.url}/leads")
    page.locator("tr.lead-row", has_text="Olga Overdue").click()
    panel = page.locator("#right-panel")
    expect(panel).to_contain_text("High urgency")

    # Picking the status shows the picker pre-set to the next snooze slot; nothing is saved yet.
    before = picker_value(lead, next_snooze_slot(lead))
    panel.get_by_label("Status").select_option("consultation_call")
    picker = panel.get_by_label("Next contact")
    expect(picker).to_be_visible()
    after = picker_value(lead, next_snooze_slot(lead))
    offered = picker.input_value()
    assert offered in (before, after)
    assert offered > picker_value(lead, timezone.now())
    page.screenshot(path=SCREENSHOTS / "callback-1-offered.png")
    assert Lead.objects.get(pk=lead.pk).status == Status.NEEDS_FOLLOW_UP

    # A past time is refused beside the picker.
    picker.fill(picker_value(lead, overdue))
    panel.get_by_role("button", name="Set callback").click()
    error = panel.locator(f"#next-error-{lead.pk}")
    expect(error).to_be_visible()
    expect(error).to_contain_text("That time has passed")
    page.screenshot(path=SCREENSHOTS / "callback-2-past.png")
    saved = Lead.objects.get(pk=lead.pk)
    assert (saved.status, saved.next_contact_at) == (Status.NEEDS_FOLLOW_UP, overdue)

    # Confirming the offered slot saves it: the lead is no longer overdue.
    panel.get_by_label("Next contact").fill(offered)
    panel.get_by_role("button", name="Set callback").click()
    expect(panel).to_contain_text("Needs a Follow Up → Consultation Call · next contact")
    expect(panel).to_contain_text("Medium urgency")
    page.screenshot(path=SCREENSHOTS / "callback-3-saved.png")
    saved = Lead.objects.get(pk=lead.pk)
    assert saved.status == Status.CONSULTATION_CALL
    assert picker_value(saved, saved.next_contact_at) == offered
    assert saved.next_contact_at > timezone.now() and saved.urgency == "medium"

    # Irrelevant with a blank reason: the reason field says what is missing.
    panel.get_by_label("Status").select_option("irrelevant")
    reason = panel.get_by_label("Why irrelevant?")
    expect(reason).to_be_focused()
    panel.get_by_role("button", name="✓ Save", exact=True).click()
    error = panel.locator(f"#reason-error-{lead.pk}")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Say why the lead is irrelevant.")
    page.screenshot(path=SCREENSHOTS / "callback-4-irrelevant.png")
    assert Lead.objects.get(pk=lead.pk).status == Status.CONSULTATION_CALL
    assert errors == []
