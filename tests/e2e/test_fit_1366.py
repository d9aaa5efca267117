"""Fit 1366 px (issue 14, finding 2): every main page fits a 1366x900 laptop for every role,
without horizontal page scrolling, and the spec's key columns stay inside the viewport."""

import datetime
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Embed
from crm import permissions
from crm.accounts.models import Office, Role
from jobs.models import Status as JobStatus
from leads.models import CallingHours, InboundLead, LeadSource
from leads.models import Status as LeadStatus
from tests.factories import (
    AuditEventFactory,
    CancelReasonFactory,
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTagFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    ServiceAreaFactory,
    TimelineEntryFactory,
    UserFactory,
)

WIDTH, HEIGHT = 1366, 900
LONG = "Maximiliana-Alexandrina Wolfeschlegelsteinhausen-Bergerdorff"
SCREENSHOTS = os.environ.get("FIT_SCREENSHOTS")  # a folder: save each page as PNG


@pytest.fixture
def crowded(people):
    """Enough rows with long names that a careless column blows the layout."""
    garage = Office.objects.get(name="Garage")
    sliding = Office.objects.get(name="Sliding")
    agent = people[Role.AGENT]
    job_type = JobTypeFactory(label="Garage Door Spring Replacement and Opener Install")
    widest_type = JobTypeFactory(
        label="Commercial Overhead Rolling Steel Door, Fire Shutter and Dock Leveler Repair"[:80]
    )
    partner = JobPartnerFactory(name="GDQ Leads International Partner Network", keep_rate=35)
    areas = [
        ServiceAreaFactory(label=f"Miami-Dade North Biscayne Corridor Zone {n}") for n in range(6)
    ]
    contractor = ContractorFactory(
        name="Hernandez Brothers Garage Door Repair & Installation Services LLC",
        contact_name=LONG,
        job_types=[job_type, widest_type],
        service_areas=areas,
    )
    for n in range(4):
        ContractorFactory(
            name=f"Contractor {n} {LONG}", job_types=[job_type], service_areas=areas[:3]
        )
    soon = timezone.now() + datetime.timedelta(hours=3)
    for office in (garage, sliding):
        for n in range(6):
            LeadFactory(
                office=office,
                first_name=LONG.split("-")[0] + str(n),
                last_name=LONG,
                email=f"a.very.long.mailbox.name.{n}@a-very-long-domain-name.example.com",
                city="North Miami Beach Extraordinary",
                status=LeadStatus.NOT_YET_SCHEDULED if n % 2 else LeadStatus.FRESH,
                next_contact_at=soon,
                claimed_by=agent if n % 2 else None,
                claimed_at=timezone.now() if n % 2 else None,
                partner_name=partner.name,
            )
        for n in range(6):
            JobFactory(
                office=office,
                first_name=LONG.split("-")[0],
                last_name=f"{LONG} {n}",
                street="12345 North Biscayne Boulevard Apartment 1234",
                city="North Miami Beach Extraordinary",
                job_type=job_type,
                source=partner,
                contractor=None if n == 0 else contractor,
                closing_total=Decimal("112900.00"),
                parts_total=Decimal("11120.50"),
                profit_share=Decimal("30.00"),
                **finance_extremes(n),
            )
    writer = seed_control_panel(garage)
    for n in range(8):
        TimelineEntryFactory(
            office=(garage, sliding)[n % 2],  # each role's offices have rows
            subject_label=f"{LONG} {n}",
            body=f"Note: {LONG * 3}",
            actor=writer,
        )
        AuditEventFactory(
            text=f"Office {LONG} {n} renamed to {LONG} and moved",
            actor=writer,
            actor_label=writer.email,
            office_label="Fort Lauderdale Overhead Doors Office 0",
        )
    # One unbreakable token each: a URL wraps nowhere.
    url = "https://hooks.example.com/bookback/" + "a1b2c3d4" * 20
    for office in (garage, sliding):
        TimelineEntryFactory(office=office, subject_label=url[:160], body=f"Webhook failed: {url}")
    AuditEventFactory(text=f"Outbound webhook {url} disabled after 10 failures")
    return people


def finance_extremes(n):
    """Finance's widest cells: a deposit, paid flags (one Auto), a finance-cancelled row."""
    now = timezone.now()
    if n == 0:
        return {"status": JobStatus.SUBMITTED}
    if n == 2:
        return {"status": JobStatus.DEPOSIT, "deposit_amount": Decimal("1500.00")}
    paid = {"contractor_paid_at": now, "partner_paid_at": now, "partner_paid_auto": n == 1}
    return {"status": JobStatus.DONE, **paid, **({"finance_cancelled_at": now} if n == 5 else {})}


def seed_control_panel(office):
    """Long rows for every CP list: users, offices, sources, partners, types, tags...
    Returns a user with a long name and email."""
    offices = [OfficeFactory(name=f"Fort Lauderdale Overhead Doors Office {n}") for n in range(3)]
    for n, role in enumerate((Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER)):
        writer = UserFactory(
            email=f"maximiliana.wolfeschlegelsteinhausen.{n}@a-very-long-domain-name.example.com",
            first_name=LONG.split("-")[0],
            last_name=LONG,
            role=role,
            offices=[office, *offices],
        )
    UserFactory(
        email="partner.dispatch.desk@gdq-leads-international-partner-network.example.com",
        first_name="Partner",
        last_name=LONG,
        role=Role.PARTNER,
        partner_name="GDQ Leads International Partner Network",
    )
    for n in range(3):
        JobTypeFactory(label=f"Commercial Rolling Steel Door and Fire Shutter Service {n}")
        JobPartnerFactory(name=f"Nehoray Overhead Door Franchise Group {n}", keep_rate=100)
        CancelReasonFactory(label=f"Client found a cheaper contractor after the estimate {n} " * 2)
        JobTagFactory(label=f"Waiting for parts from the factory {n}", color="#f97316")
    for n in range(3):
        source = LeadSource.objects.create(
            key=f"very-long-partner-source-{n}",
            label=f"Home Advisor Angi Premium Leads Marketplace {n}",
            default_office=offices[n],
            snooze_steps=[15, 30, 60, 120, 240, 480, 1440, 2880, 4320],
        )
        InboundLead.objects.create(
            source=source,
            payload={"name": LONG, "email": "x" * 60 + "@example.com", "notes": LONG * 4},
            state=InboundLead.State.FAILED,
            attempts=5,
            error=f"ValidationError: phone {LONG * 2} is not a valid US number " * 2,
        )
        Embed.objects.create(
            name=f"Garage Door Repair Miami Summer Campaign Widget {n}",
            slug=f"garage-door-repair-miami-summer-campaign-widget-{n}",
            office=offices[n],
            company_name="Hernandez Brothers Garage Door Repair & Installation",
            allowed_domains="www.hernandez-brothers-garage-door-repair.example.com,"
            "booking.hernandez-brothers-garage-door-repair.example.com",
        )
    for state in ("FL", "TX", "CA", "NY"):
        CallingHours.objects.get_or_create(
            state=state, defaults={"sunday_start_hour": 11, "sunday_end_hour": 17}
        )
    return writer


# Every element a selector matches that is rendered, with its right edge and the right edge
# up to which it can be seen: a scrolling or clipping ancestor (a table's wrapper) hides what
# lies past its own right edge, even inside the viewport; and nothing may spill out of its card.
BOXES = """elements => elements
    .filter(element => element.getClientRects().length && !element.closest("dialog:not([open])"))
    .slice(0, 40)
    .map(element => {
        const box = element.getBoundingClientRect();
        let right = window.innerWidth, left = 0;
        for (let node = element.parentElement; node; node = node.parentElement) {
            if (getComputedStyle(node).overflowX !== "visible" || node.matches(".card")) {
                const clip = node.getBoundingClientRect();
                right = Math.min(right, clip.right);
                left = Math.max(left, clip.left);
            }
        }
        return {left: box.left, right: box.right, visibleLeft: left, visibleRight: right};
    })"""

# On every page: each table's headers (the spec's columns) and its last (action) column stay
# in view; the keys of PAGES add the buttons and cells a page must show besides.
EVERY_PAGE = ["table th", "table tbody tr td:last-child"]


def measure(page, key_selectors, *, required):
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    offenders = {}
    for selector in [*EVERY_PAGE, *key_selectors]:
        boxes = page.locator(selector).evaluate_all(BOXES)
        if selector in key_selectors and required:  # a read-only role has no Delete
            assert boxes, f"{selector} is not on the page"
        for index, box in enumerate(boxes):
            if (
                box["right"] > min(WIDTH, box["visibleRight"]) + 1
                or box["left"] < box["visibleLeft"] - 1
            ):
                offenders[selector] = (
                    f"#{index} right {round(box['right'])}, visible to {round(box['visibleRight'])}"
                )
                break
    return width, inner, offenders


# name: (path, the capability that opens it, the spec's columns that must stay in view).
PAGES = {
    "leads": (
        "/leads",
        "leads.view",
        ["th:has-text('Next Contact')", "th:has-text('Actions')"],
    ),
    "jobs": (
        "/jobs",
        "jobs.view",
        ["th:has-text('K?')", "th:has-text('Reb?')", "th:has-text('Created')"],
    ),
    "finance": ("/finance", "finance.view", ["th:has-text('Partner')", "td .paid-btn"]),
    "contractors": (
        "/contractors",
        "contractors.view",
        [
            ".contractor-type",
            ".contractor-row__name",
            ".contractor-row__pills .pill",
            ".contractor-row__actions .pill",
            "a:has-text('Areas')",
        ],
    ),
    "service-areas": ("/service-areas", "service_areas.view", ["button:has-text('Delete')"]),
    "timeline": ("/timeline", "timeline.view", ["th:has-text('What happened')", "td .pill"]),
    "audit-log": ("/audit-log", "audit.view", ["th:has-text('Actor')", "td .pill"]),
    "cp": ("/cp/", "controlpanel.access", []),
    "cp-offices": ("/cp/offices", "controlpanel.access", []),
    "cp-users": ("/cp/users", "controlpanel.access", ["button:has-text('Delete')"]),
    "cp-permissions": ("/cp/permissions", "controlpanel.access", []),
    "cp-office-settings": ("/cp/office-settings", "controlpanel.access", []),
    "cp-app-settings": ("/cp/app-settings", "controlpanel.access", []),
    "cp-google-places": ("/cp/google-places", "controlpanel.access", []),
    "cp-lead-sources": (
        "/cp/lead-sources",
        "controlpanel.access",
        ["button:has-text('Copy')", "button:has-text('Regenerate')", "button:has-text('Delete')"],
    ),
    "cp-snooze": ("/cp/snooze-sequences", "controlpanel.access", []),
    "cp-calling-hours": ("/cp/calling-hours", "controlpanel.access", []),
    "cp-inbox-failures": (
        "/cp/inbox-failures",
        "controlpanel.access",
        ["button:has-text('Retry')", "button:has-text('Dismiss')"],
    ),
    "cp-job-types": ("/cp/job-types", "controlpanel.access", []),
    "cp-job-partners": ("/cp/job-partners", "controlpanel.access", []),
    "cp-cancel-reasons": ("/cp/cancel-reasons", "controlpanel.access", []),
    "cp-job-tags": ("/cp/job-tags", "controlpanel.access", []),
    "cp-jobs-settings": ("/cp/jobs-settings", "controlpanel.access", []),
    "cp-finance-settings": ("/cp/finance-settings", "controlpanel.access", []),
    "cp-online-booking": ("/cp/online-booking", "controlpanel.access", []),
}
ROLES = {
    Role.OWNER: "owner@example.com",
    Role.ADMIN: "admin@example.com",
    Role.FINANCE_ADMIN: "finance@example.com",
    Role.AGENT: "agent@example.com",
    Role.VIEWER: "viewer@example.com",
}
CAPABILITIES = {capability.name: capability for capability in permissions.CAPABILITIES}


def pages_for(role):
    """Each role on exactly the pages crm.permissions lets it open."""
    return [name for name, (_, cap, _) in PAGES.items() if role in CAPABILITIES[cap].roles]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_a_1366_laptop(crowded, sign_in, live_server, page, role):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(ROLES[role])
    problems = []
    for name in pages_for(role):
        path, _, keys = PAGES[name]
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, f"{role} {path}: {response.status}"
        page.wait_for_load_state("networkidle")
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{role}_{name}.png")
        width, inner, offenders = measure(page, keys, required=role == Role.OWNER)
        print(f"FIT {role} {path}: scrollWidth={width} innerWidth={inner} {offenders}")
        if width > inner or offenders:
            problems.append(f"{path}: scrollWidth {width} > {inner} or off-screen {offenders}")
    assert not problems, "\n".join(problems)
