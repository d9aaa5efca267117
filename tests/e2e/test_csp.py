"""The Content-Security-Policy in real Chromium: every main page of every role runs with no
violation and no script error, and what inline code used to do (confirms, row links, small
page scripts) now works from static/js under the policy."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from booking import demo as booking_demo
from booking.models import Embed
from contractors.models import JobPartner, JobType, ServiceArea
from crm import navigation, permissions
from crm.accounts.models import Office, Role, User
from crm.controlpanel.tiles import visible_tiles
from jobs.models import Status as JobStatus
from leads.models import CallingHours, LeadSource
from leads.models import Status as LeadStatus
from tests.factories import (
    CancelReasonFactory,
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTagFactory,
    JobTypeFactory,
    LeadFactory,
    ServiceAreaFactory,
    lead_source,
)

# Reports every violation on the page's console, where the test listens (Chromium's own
# "Refused to ..." lines do not reach Playwright's console event).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.effectiveDirective + " blocked "
    + event.blockedURI + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""

# Pages beyond the topbar's, with the capability that opens each.
SUB_PAGES = [
    ("leads:create", "leads.create"),
    ("leads:archived", "leads.archive"),
    ("leads:import", "leads.import"),
    ("jobs:new", "jobs.create"),
    ("jobs:archived", "jobs.archive"),
    ("jobs:import", "jobs.import"),
    ("finance:reports", "finance.view"),
    ("contractors:contractor_new", "contractors.edit"),
    ("contractors:service_area_new", "service_areas.edit"),
]


@pytest.fixture
def crm(people):
    """A little of everything, so each page draws rows, maps and forms."""
    sliding, garage = Office.objects.get(name="Sliding"), Office.objects.get(name="Garage")
    owner = people[Role.OWNER]
    garage_door = JobTypeFactory(label="Garage Door")
    gdq = JobPartnerFactory(name="GDQ", keep_rate=Decimal("35"))
    miami = ServiceAreaFactory(label="Miami")
    mike = ContractorFactory(name="Mike Hernandez", job_types=[garage_door], service_areas=[miami])
    for office in (sliding, garage):
        LeadFactory(office=office, first_name="Nina", status=LeadStatus.NEEDS_FOLLOW_UP)
        LeadFactory(office=office, first_name="Fred")
        JobFactory(office=office, job_type=garage_door, source=gdq, contractor=mike)
    JobFactory(
        office=sliding,
        source=gdq,
        contractor=mike,
        status=JobStatus.DONE,
        closing_total=Decimal("900.00"),
        parts_total=Decimal("120.50"),
        profit_share=Decimal("30.00"),
    )
    CancelReasonFactory(label="Client no-show")
    JobTagFactory(label="VIP")
    CallingHours.objects.create(state="TX", start_hour=8, end_hour=20)
    lead_source("online_booking")
    booking_demo.seed_embeds(owner)
    return people


def pages_for(user: User) -> list[str]:
    """Every page `user` may open: the topbar's, their sub-pages, the Control Panel's."""
    items = navigation.PAGES + navigation.TOOLS
    paths = [
        url
        for item in items
        if (url := navigation.url_or_none(item.url_name)) and permissions.can(user, item.capability)
    ]
    paths += [reverse(name) for name, capability in SUB_PAGES if permissions.can(user, capability)]
    if permissions.can(user, "controlpanel.access"):
        paths.append(reverse("controlpanel:index"))
        paths += [entry["url"] for _, entries in visible_tiles() for entry in entries]
        source = LeadSource.objects.get(key="facebook")
        paths += [
            reverse("controlpanel:create_user"),
            reverse("leads:cp_snooze_edit", args=[source.pk]),
            reverse("leads:cp_source_edit", args=[source.pk]),
            reverse("booking:cp_embed_new"),
            reverse("booking:cp_embed_edit", args=[Embed.objects.get(slug="sliding").pk]),
        ]
    return list(dict.fromkeys(paths))


@pytest.fixture
def problems(page):
    """CSP violations and uncaught script errors on `page`, as readable lines."""
    found = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def open_page(page, url: str):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_every_role_runs_under_the_policy(crm, role, sign_in, problems, live_server):
    user = crm[role]
    page = sign_in(user.email)
    pages = pages_for(user)
    assert len(pages) >= 2  # a partner opens Leads and Jobs (and Help)
    for path in pages:
        response = open_page(page, live_server.url + path)
        assert response.ok, f"{path}: {response.status}"
        # Directives by name: the header lists them in no fixed order.
        directives = dict(
            part.strip().split(" ", 1)
            for part in response.headers["content-security-policy"].split(";")
            if part.strip()
        )
        assert directives["script-src"] == "'self' https://maps.googleapis.com", path
        assert directives["frame-ancestors"] == "'none'", path
    # The public widget, opened by the same browser, keeps its own header.
    response = open_page(page, f"{live_server.url}/book/sliding")
    expect(page.get_by_role("heading", name="What can we help with?")).to_be_visible()
    assert response.headers["content-security-policy"] == "frame-ancestors *"
    assert not problems, "\n".join(problems)


def test_injected_inline_code_is_blocked_and_reported(crm, sign_in, problems, live_server):
    page = sign_in("owner@example.com")
    open_page(page, f"{live_server.url}/leads")
    inject = """() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = 'script'";
      document.body.appendChild(script);
      const image = "<img src=x onerror=\\"window.injected = 'handler'\\">";
      document.body.insertAdjacentHTML("beforeend", image);
    }"""
    with page.expect_console_message(lambda message: "script-src-attr" in message.text):
        page.evaluate(inject)
    assert page.evaluate("window.injected") is None
    for directive in ("script-src-elem", "script-src-attr"):
        assert any(f"{directive} blocked inline" in line for line in problems), directive


def test_with_a_google_key_the_map_pages_load_google_maps_under_the_policy(
    crm, google_maps, sign_in, problems, live_server
):
    page = sign_in("owner@example.com")
    for path in ("/contractors", "/service-areas", "/jobs/new"):
        open_page(page, live_server.url + path)
        expect(page.locator(".fake-google-map").first).to_be_visible()
    assert google_maps, "the pages asked Google for Maps JS"
    assert not problems, "\n".join(problems)


# --- Plain forms confirm through data-confirm (ui.js) -------------------------------------


@pytest.fixture
def removable(crm):
    """(page, form action, question, gone?) per confirm-guarded plain form."""
    joes = Office.objects.get(name="Joes Doors FL")
    victor = crm[Role.VIEWER]
    screen = JobTypeFactory(label="Screen Door")
    acme = JobPartnerFactory(name="Acme")
    doral = ServiceAreaFactory(label="Doral")
    google, yelp = lead_source("google"), lead_source("yelp")
    texas = CallingHours.objects.get(state="TX")
    embed = Embed.objects.get(slug="sliding")
    return {
        "office": (
            "/cp/offices",
            reverse("controlpanel:delete_office", args=[joes.pk]),
            "Delete the office Joes Doors FL?",
            lambda: not Office.objects.filter(pk=joes.pk).exists(),
        ),
        "user": (
            "/cp/users",
            reverse("controlpanel:delete_user", args=[victor.pk]),
            f"Delete {victor.full_name} for good?",
            lambda: not User.objects.filter(pk=victor.pk).exists(),
        ),
        "job type": (
            "/cp/job-types",
            reverse("contractors:cp_job_type_delete", args=[screen.pk]),
            "Delete the job type Screen Door?",
            lambda: not JobType.objects.filter(pk=screen.pk).exists(),
        ),
        "job partner": (
            "/cp/job-partners",
            reverse("contractors:cp_job_partner_delete", args=[acme.pk]),
            "Delete the job partner Acme?",
            lambda: not JobPartner.objects.filter(pk=acme.pk).exists(),
        ),
        "service area": (
            "/service-areas",
            reverse("contractors:service_area_delete", args=[doral.pk]),
            "Delete the service area Doral? Contractors covering it stop covering it.",
            lambda: not ServiceArea.objects.filter(pk=doral.pk).exists(),
        ),
        "source token": (
            "/cp/lead-sources",
            reverse("leads:cp_source_token", args=[google.pk]),
            f"Regenerate the webhook token of {google.label}? The current URL stops accepting"
            " leads at once.",
            lambda: LeadSource.objects.get(pk=google.pk).webhook_token != google.webhook_token,
        ),
        "source": (
            "/cp/lead-sources",
            reverse("leads:cp_source_delete", args=[yelp.pk]),
            f"Delete the source {yelp.label}?",
            lambda: not LeadSource.objects.filter(pk=yelp.pk).exists(),
        ),
        "calling hours": (
            "/cp/calling-hours",
            reverse("leads:cp_calling_hours_delete", args=[texas.pk]),
            "Remove the TX window? The state goes back to the ",
            lambda: not CallingHours.objects.filter(pk=texas.pk).exists(),
        ),
        "embed": (
            "/cp/online-booking",
            reverse("booking:cp_embed_delete", args=[embed.pk]),
            "Delete the embed Sliding — website? /book/sliding stops working on every site"
            " that uses it.",
            lambda: not Embed.objects.filter(pk=embed.pk).exists(),
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "office",
        "user",
        "job type",
        "job partner",
        "service area",
        "source token",
        "source",
        "calling hours",
        "embed",
    ],
)
def test_a_plain_form_asks_first_and_posts_only_once_accepted(
    removable, case, sign_in, problems, live_server
):
    path, action, question, is_done = removable[case]
    page = sign_in("owner@example.com")
    open_page(page, live_server.url + path)
    posts, questions = [], []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    submit = page.locator(f"form[action='{action}'] button[type=submit]")

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    submit.click()
    assert not is_done()
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        submit.click()

    assert len(questions) == 2 and questions[0] == questions[1]
    assert questions[0].startswith(question)
    assert posts == [live_server.url + action]  # the dismissed one never left the page
    assert is_done()
    assert not problems, "\n".join(problems)


# --- What other inline code did, now from static/js --------------------------------------


def test_a_lead_rows_phone_dials_without_opening_it_and_open_opens_the_panel(
    crm, sign_in, problems, live_server
):
    page = sign_in("owner@example.com")
    open_page(page, f"{live_server.url}/leads")
    row = page.locator("tr.lead-row", has_text="Nina").first
    panel_requests = []
    page.on(
        "request",
        lambda request: (
            panel_requests.append(request.url) if request.headers.get("hx-request") else None
        ),
    )
    row.locator("a[data-dial]").click(no_wait_after=True)
    row.get_by_role("link", name="Open").click()
    expect(page.locator("#right-panel")).to_have_class("panel-right is-open")
    expect(page.locator("#right-panel")).to_contain_text("Nina")
    assert page.url == f"{live_server.url}/leads"  # the Open link did not navigate
    lead_url = row.get_attribute("hx-get")
    assert [url for url in panel_requests if url.endswith(lead_url)] == [
        live_server.url + lead_url
    ]  # one opening: the Open click's, none from the phone link
    assert not problems, "\n".join(problems)


def test_the_embed_form_shows_only_the_chosen_confirmation_field(
    crm, sign_in, problems, live_server
):
    embed = Embed.objects.get(slug="sliding")
    page = sign_in("owner@example.com")
    open_page(page, live_server.url + reverse("booking:cp_embed_edit", args=[embed.pk]))
    message, redirect = (
        page.locator("[data-confirmation=message]"),
        page.locator("[data-confirmation=redirect]"),
    )
    expect(message).to_be_visible()
    expect(redirect).to_be_hidden()
    page.get_by_label("Redirect to a thank-you page").check()
    expect(message).to_be_hidden()
    expect(redirect).to_be_visible()
    assert not problems, "\n".join(problems)


def test_the_snooze_editor_adds_a_step_and_updates_its_summary(crm, sign_in, problems, live_server):
    source = LeadSource.objects.get(key="facebook")
    page = sign_in("owner@example.com")
    open_page(page, live_server.url + reverse("leads:cp_snooze_edit", args=[source.pk]))
    steps = page.locator("[data-steps] [data-step]")
    before = steps.count()
    page.get_by_role("button", name="+ Add step").click()
    expect(steps).to_have_count(before + 1)
    steps.last.get_by_label("Wait").fill("2")
    steps.last.get_by_label("Unit").select_option("d")
    expect(page.locator("[data-snooze-summary]")).to_contain_text(f"{before + 1} step")
    assert not problems, "\n".join(problems)


def test_the_contractor_modal_filters_its_service_areas(crm, sign_in, problems, live_server):
    ServiceAreaFactory(label="Hialeah")
    page = sign_in("owner@example.com")
    open_page(page, f"{live_server.url}/contractors")
    page.get_by_role("link", name="+ Add Contractor").click()
    areas = page.locator("#modal-body [data-area-list]")
    expect(areas.get_by_label("Hialeah")).to_be_visible()
    page.get_by_placeholder("Filter areas").fill("mia")
    expect(areas.get_by_label("Miami")).to_be_visible()
    expect(areas.get_by_label("Hialeah")).to_be_hidden()
    page.get_by_placeholder("Filter areas").fill("nowhere")
    expect(areas.get_by_text("No area matches.")).to_be_visible()
    assert not problems, "\n".join(problems)


def test_the_service_area_modal_looks_up_a_zip(crm, sign_in, problems, live_server):
    page = sign_in("owner@example.com")
    open_page(page, f"{live_server.url}/service-areas")
    page.get_by_role("link", name="+ Add Service Area").click()
    modal = page.locator("#modal-body")
    modal.get_by_label("ZIP").fill("90210")
    modal.get_by_role("button", name="🔎 Lookup").click()
    expect(modal.locator("[data-lookup-status]")).to_have_text("✓ Beverly Hills, CA")
    assert not problems, "\n".join(problems)


def test_a_lead_sources_copy_button_copies_its_webhook_url(crm, sign_in, problems, live_server):
    page = sign_in("owner@example.com")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_page(page, f"{live_server.url}/cp/lead-sources")
    button = page.get_by_role("button", name="Copy the webhook URL of Facebook")
    button.click()
    expect(page.locator(".toast--success")).to_have_text("Webhook URL copied.")
    assert page.evaluate("navigator.clipboard.readText()") == button.get_attribute("data-copy")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "row_selector", "button_selector", "answer"),
    [
        ("/jobs", "tr.job-row", "button.k-btn", "#modal-body"),
        ("/finance", "tr.finance-row", "button.paid-btn", "tr.finance-row button.is-paid"),
    ],
    ids=["jobs", "finance"],
)
def test_a_button_inside_a_clickable_row_acts_alone_and_the_row_still_opens(
    crm, path, row_selector, button_selector, answer, sign_in, problems, live_server
):
    page = sign_in("owner@example.com")
    open_page(page, live_server.url + path)
    row = page.locator(row_selector).first
    row_url = live_server.url + row.get_attribute("hx-get")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    row.locator(button_selector).first.click()
    expect(page.locator(answer).first).not_to_be_empty()
    assert row_url not in requests  # the button's click did not open the row
    expect(page.locator("#right-panel")).not_to_have_class("panel-right is-open")  # nor a blank one
    page.keyboard.press("Escape")  # closes the K modal
    page.locator(row_selector).first.locator("td").first.click()
    expect(page.locator("#right-panel")).to_have_class("panel-right is-open")
    assert requests.count(row_url) == 1
    assert not problems, "\n".join(problems)
