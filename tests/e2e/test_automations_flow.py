"""🤖 Automations in Chromium at 1366×900: the owner builds the spec's example rule (Job
Created · Office = Garage → SMS the assigned contractor) in the editor, an agent books a
Garage job with a contractor, the 📜 View Log shows ✓ sent with the rendered text, and
after ⏸ Pause All the banner shows and the next job sends nothing."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from automations.rules import services
from automations.rules.models import RuleLog
from contractors.models import Contractor
from crm.accounts.models import Office, Role
from messaging.models import Line, Message, MessagingSettings, OfficeSmsSender
from tests.factories import PASSWORD, JobFactory
from tests.messaging import fakes
from tests.messaging.conftest import FakeApi

SHOTS = Path("/tmp")
SPEC_BODY = (
    "Hi {{contractor.name}}, new job {{job.displayId}} on {{job.dateStart}} at "
    "{{job.timeStart}} — {{job.address}}. Client: {{client.fullName}} {{client.phone}}."
)


@pytest.fixture
def ctm(settings, dispatch):
    """CTM at a local server, the Garage office's number, Mike's phone."""
    api = FakeApi({("POST", "/sms"): (200, fakes.CTM_SENT)})
    settings.SMS_PROVIDER = "ctm"
    settings.CTM_BASE_URL = fakes.url_of(api.server)
    stored = MessagingSettings.load()
    stored.ctm_account_id, stored.ctm_access_key, stored.ctm_secret_key = ("1", "a", "s")
    stored.save()
    garage = Office.objects.get(name="Garage")
    line = Line.objects.create(phone="+13055550100", label="Garage main", office=garage)
    OfficeSmsSender.objects.create(office=garage, line=line)  # CP → Office Settings' CTM number
    Contractor.objects.filter(name="Mike Hernandez").update(contact_phone="+13055550177")
    yield api
    api.stop()


def settled(page) -> None:
    """The modal's swapped-in content is settled (htmx attaches the filters' triggers
    then): a filter typed in the same instant the rows appear would go unheard."""
    expect(page.locator("#modal-body .htmx-added, #modal-body .htmx-settling")).to_have_count(0)


def fits(page) -> bool:
    """No horizontal page scroll at the laptop width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sms_sent(api) -> list:
    return [request for request in api.requests if request.path.endswith("/sms")]


def book_garage_job(page, live_server, first_name: str):
    """The agent's New Job: a Garage job in Miami with Mike Hernandez."""
    page.goto(f"{live_server.url}/jobs")
    page.get_by_role("link", name="+ New Job").click()
    modal = page.locator("#modal-body")
    modal.get_by_label("First name").fill(first_name)
    modal.get_by_label("Last name").fill("Lopez")
    modal.get_by_label("Phone").fill("(305) 555-0142")
    modal.get_by_label("Address", exact=True).fill("100 Biscayne Blvd")
    modal.get_by_label("ZIP").fill("33132")
    modal.get_by_label("ZIP").press("Tab")  # the 5 closest areas follow the ZIP
    modal.locator(".area-card", has_text="Miami").click()
    modal.get_by_label("Job type").select_option(label="Garage Door")
    modal.get_by_label("Job source").select_option(label="GDQ")
    mike = modal.locator("#id_contractor option", has_text="Mike Hernandez")
    expect(mike).to_have_count(1)
    modal.locator("#id_contractor").select_option(mike.get_attribute("value"))
    modal.get_by_label("Date").fill("2030-05-02")
    modal.get_by_label("From").fill("09:00")
    modal.get_by_role("button", name="Create Job").click()
    expect(page.locator("#toasts .toast", has_text=f"created for {first_name}")).to_be_visible()


def test_an_owner_rule_texts_the_contractor_and_pause_all_stops_it(
    ctm, people, sign_in, live_server, browser
):
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/cp/automations")
    page.get_by_role("link", name="＋ New automation").click()

    page.get_by_label("Name").fill("Garage: text the contractor")
    expect(page.get_by_label("Trigger")).to_have_value("job_created")
    offices = page.locator("details", has=page.locator("#id_offices"))
    offices.locator("summary").click()
    offices.get_by_label("Garage", exact=True).check()
    expect(offices.locator("summary")).to_have_text("1 selected")
    page.get_by_label("Channel").select_option("sms")
    page.get_by_label("Recipient").select_option("contractor")
    body = page.get_by_label("Body")
    body.fill(SPEC_BODY.removesuffix(" {{client.phone}}."))
    body.press("End")
    body.type(" ")
    page.get_by_label("＋ var").select_option("client.phone")  # the picker inserts at the cursor
    body.type(".")
    expect(body).to_have_value(SPEC_BODY)
    expect(page.locator("#rule-preview")).to_contain_text("No job yet")
    page.screenshot(path=str(SHOTS / "automations_editor_1366.png"), full_page=True)
    page.get_by_role("button", name="Add automation").click()
    row = page.locator("tr", has_text="Garage: text the contractor")
    expect(row).to_contain_text("Job Created")
    expect(row).to_contain_text("Office = Garage")

    agent = browser.new_context(viewport={"width": 1366, "height": 900})
    agent_page = agent.new_page()
    agent_page.goto(f"{live_server.url}/login")
    agent_page.get_by_label("Email").fill("agent@example.com")
    agent_page.get_by_label("Password").fill(PASSWORD)
    agent_page.get_by_role("button", name="Sign in").click()
    agent_page.wait_for_url(lambda url: "/login" not in url)
    book_garage_job(agent_page, live_server, "Maria")
    assert len(sms_sent(ctm)) == 1
    # It left from the Garage number and sits in the contractor's SMS thread.
    text = Message.objects.select_related("thread").get()
    assert text.thread.customer_phone == "+13055550177" and text.thread.line.phone == "+13055550100"
    assert text.body.startswith("Hi Mike Hernandez, new job JOB-")

    page.reload()
    expect(row.locator("td.num")).to_have_text("1")
    page.get_by_role("link", name="📜 View Log").click()
    log = page.locator("#modal-body")
    first = log.locator("tbody tr").first
    expect(first).to_contain_text("✓ sent")
    expect(first).to_contain_text("Hi Mike Hernandez, new job JOB-")
    expect(first).to_contain_text("Client: Maria Lopez")
    page.screenshot(path=str(SHOTS / "automations_log_1366.png"))
    settled(page)
    log.get_by_label("Search").fill("nobody-matches")
    expect(log).to_contain_text("Nothing logged under these filters.")
    log.get_by_role("link", name="Reset").click()
    expect(log.locator("tbody tr")).to_have_count(1)
    log.get_by_role("button", name="Close").click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="⏸ Pause All").click()
    expect(page.locator(".rules-paused")).to_have_text(
        "⏸ Automations are PAUSED — no rules will fire until you resume."
    )
    page.screenshot(path=str(SHOTS / "automations_list_paused_1366.png"))

    book_garage_job(agent_page, live_server, "Tomas")
    assert len(sms_sent(ctm)) == 1  # nothing more went out
    assert not RuleLog.objects.filter(status="sent", preview__contains="Tomas").exists()
    agent.close()


def test_screenshots_of_the_list_the_editor_by_trigger_and_the_log(people, sign_in, live_server):
    owner = people[Role.OWNER]
    job = JobFactory(office=Office.objects.get(name="Garage"))
    for n, (trigger, extra) in enumerate(
        [
            ("job_created", {"recipient": "contractor"}),
            (
                "before_job_start",
                {
                    "recipient": "client",
                    "offset_amount": 24,
                    "offset_unit": "hours",
                    "respect_quiet_hours": True,
                },
            ),
            (
                "job_status_changed",
                {"recipient": "static", "static_to": "+13055550199", "target_status": "done"},
            ),
        ]
    ):
        services.save_rule(
            actor=owner,
            name=f"Rule {n}",
            trigger=trigger,
            channel="sms",
            body="Job {{job.displayId}} for {{client.fullName}}",
            **extra,
        )
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/cp/automations")
    page.screenshot(path=str(SHOTS / "automations_list_1366.png"))
    assert fits(page)
    for status, error in (
        ("sent", ""),
        ("failed", "No CTM number configured for office Garage"),
        ("skipped", "outside quiet hours"),
    ):
        RuleLog.objects.create(
            rule_name="Rule 0",
            trigger="job_created",
            channel="sms",
            status=status,
            recipient="+13055550177",
            job=job,
            record_label=job.display_id,
            preview=f"Job {job.display_id} for {job.first_name} {job.last_name}",
            error=error,
        )
    page.get_by_role("link", name="📜 View Log").click()
    log = page.locator("#modal-body")
    expect(log.locator("tbody tr")).to_have_count(3)
    settled(page)
    log.get_by_label("Status").select_option("failed")
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log.locator(".rule-log__error")).to_have_css("color", "rgb(220, 38, 38)")
    log.get_by_role("link", name="Reset").click()
    expect(log.locator("tbody tr")).to_have_count(3)
    page.screenshot(path=str(SHOTS / "automations_log_1366.png"))
    assert fits(page)
    log.get_by_role("link", name=job.display_id).first.click()
    expect(page.locator("#right-panel")).to_have_class(re.compile("is-open"))
    expect(page.locator("#right-panel")).to_contain_text(job.display_id)
    expect(page.locator("#modal")).not_to_have_class(re.compile("is-open"))

    page.goto(f"{live_server.url}/cp/automations/new")
    page.get_by_label("Trigger").select_option("lead_status_changed")
    expect(page.get_by_label("Recipient").locator("option[value=contractor]")).to_be_disabled()
    expect(page.locator("[data-rule-part=status_lead]")).to_be_visible()
    expect(page.locator("[data-rule-part=job]").first).to_be_hidden()
    options = page.locator("#var-picker option")
    expect(options).to_contain_text(["lead.fullName"])
    assert "job.displayId" not in options.all_text_contents()
    page.get_by_label("Channel").select_option("email")
    expect(page.get_by_label("Subject")).to_be_visible()
    page.get_by_label("Trigger").select_option("before_job_start")
    expect(page.get_by_label("Offset")).to_be_visible()
    page.get_by_label("Body").fill("Reminder for {{client.firstName}}: {{job.dateStart}}")
    expect(page.locator("#rule-preview")).to_contain_text(re.compile(r"Reminder for \w+"))
    page.screenshot(path=str(SHOTS / "automations_editor_time_1366.png"), full_page=True)
    assert fits(page)
