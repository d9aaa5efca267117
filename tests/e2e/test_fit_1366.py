"""Fit 1366 px (issue 14, finding 2): every main page fits a 1366x900 laptop for every role,
without horizontal page scrolling, and the spec's key columns stay inside the viewport."""

import datetime
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.accounts.models import Office, Role
from jobs.models import Status as JobStatus
from leads.models import Status as LeadStatus
from tests.factories import (
    AuditEventFactory,
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    LeadFactory,
    ServiceAreaFactory,
    TimelineEntryFactory,
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
    partner = JobPartnerFactory(name="GDQ Leads International Partner Network", keep_rate=35)
    areas = [
        ServiceAreaFactory(label=f"Miami-Dade North Biscayne Corridor Zone {n}") for n in range(6)
    ]
    contractor = ContractorFactory(
        name="Hernandez Brothers Garage Door Repair & Installation Services LLC",
        contact_name=LONG,
        job_types=[job_type],
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
                status=JobStatus.DONE if n % 2 else JobStatus.SUBMITTED,
                closing_total=Decimal("12900.00"),
                parts_total=Decimal("1120.50"),
                profit_share=Decimal("30.00"),
            )
    for n in range(8):
        TimelineEntryFactory(office=garage, subject_label=f"{LONG} {n}", body=f"Note: {LONG * 3}")
        AuditEventFactory(text=f"Office {LONG} {n} renamed to {LONG} and moved")
    return people


# The right edge up to which an element can be seen: a scrolling or clipping ancestor (a
# table's wrapper) hides what lies past its own right edge, even inside the viewport.
VISIBLE_RIGHT = """element => {
    let right = window.innerWidth;
    for (let node = element.parentElement; node; node = node.parentElement) {
        if (getComputedStyle(node).overflowX !== "visible") {
            right = Math.min(right, node.getBoundingClientRect().right);
        }
    }
    return right;
}"""


def measure(page, key_selectors, *, required):
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    offenders = {}
    for selector in key_selectors:
        boxes = page.locator(selector)
        if not boxes.count() and not required:  # a read-only role has no Delete
            continue
        assert boxes.count(), f"{selector} is not on the page"
        for index in range(min(boxes.count(), 5)):
            box = boxes.nth(index).bounding_box()
            assert box, f"{selector} #{index} is not rendered"
            clip = boxes.nth(index).evaluate(VISIBLE_RIGHT)
            right = box["x"] + box["width"]
            if right > WIDTH or right > clip + 1 or box["x"] < 0:
                offenders[selector] = f"right {round(right)}, visible to {round(clip)}"
    return width, inner, offenders


PAGES = {
    "leads": ("/leads", ["th:has-text('Next Contact')", "th:has-text('Actions')"]),
    "jobs": ("/jobs", ["th:has-text('K?')", "th:has-text('Reb?')", "th:has-text('Created')"]),
    "finance": ("/finance", ["th:has-text('Partner')", "td .paid-btn"]),
    "contractors": ("/contractors", []),
    "service-areas": ("/service-areas", ["button:has-text('Delete')"]),
    "timeline": ("/timeline", []),
    "audit-log": ("/audit-log", []),
    "cp-users": ("/cp/users", []),
    "cp-job-partners": ("/cp/job-partners", []),
    "cp-job-types": ("/cp/job-types", []),
    "cp-lead-sources": ("/cp/lead-sources", []),
    "cp-offices": ("/cp/offices", []),
}

ROLES = {
    "owner@example.com": list(PAGES),
    "agent@example.com": ["leads", "jobs", "contractors", "service-areas", "timeline"],
    "finance@example.com": ["leads", "jobs", "finance", "contractors", "timeline", "audit-log"],
}


@pytest.mark.parametrize("email", list(ROLES))
def test_every_main_page_fits_a_1366_laptop(crowded, sign_in, live_server, page, email):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(email)
    problems = []
    for name in ROLES[email]:
        path, keys = PAGES[name]
        response = page.goto(f"{live_server.url}{path}")
        if response.status == 403:
            continue
        assert response.ok, f"{path}: {response.status}"
        page.wait_for_load_state("networkidle")
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{email.split('@')[0]}-{name}.png")
        width, inner, offenders = measure(page, keys, required=email == "owner@example.com")
        print(f"FIT {email} {path}: scrollWidth={width} innerWidth={inner} {offenders}")
        if width > inner or offenders:
            problems.append(f"{path}: scrollWidth {width} > {inner} or off-screen {offenders}")
    assert not problems, "\n".join(problems)
