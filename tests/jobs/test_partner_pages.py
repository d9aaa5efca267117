"""Every page a partner login opens, read for what it must never show: another partner's
name or records, a contractor's contact, a profit share or the money side of a job."""

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from finance.services import set_contractor_paid, update_money
from jobs.models import Status
from jobs.services import assign_contractor
from tests.factories import JobFactory, JobPartnerFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

# What a GDQ Leads login must never read, anywhere.
SECRETS = (
    "Raful",  # the other partner, its client and its lead
    "Rita Rivera",
    "Rhea Ross",
    "(305) 555-0199",  # Mike's phone, every way it could be written
    "+13055550199",
    "3055550199",
    "mike@hernandez-doors.com",
    "Mike Senior",  # his contact person
    "profit share",
    "35%",
    "payout",
    "Contractor paid",
    "$1,200",
)


@pytest.fixture
def world(sliding, repair, miami, mike, owner):
    gdq_leads, raful = JobPartnerFactory(name="GDQ Leads"), JobPartnerFactory(name="Raful")
    mike.contact_phone, mike.report_email = "+13055550199", "mike@hernandez-doors.com"
    mike.contact_name, mike.secondary_partners = "Mike Senior", ["gdq leads"]
    mike.save()
    ours = JobFactory(
        office=sliding,
        source=gdq_leads,
        job_type=repair,
        service_area=miami,
        first_name="Gina",
        last_name="Garcia",
        status=Status.DONE,
    )
    assign_contractor(job=ours, actor=owner, contractor=mike)
    update_money(job=ours, actor=owner, field="closing_total", value="1200")
    set_contractor_paid(job=ours, actor=owner, paid=True)
    theirs = JobFactory(
        office=sliding,
        source=raful,
        job_type=repair,
        service_area=miami,
        first_name="Rita",
        last_name="Rivera",
    )
    our_lead = LeadFactory(office=sliding, first_name="Gail", last_name="Grant")
    our_lead.partner_name = "gdq leads"  # leads carry the name as the ad partner sent it
    our_lead.save()
    their_lead = LeadFactory(office=sliding, first_name="Rhea", last_name="Ross")
    their_lead.partner_name = "Raful"
    their_lead.save()
    return {"ours": ours, "theirs": theirs, "our_lead": our_lead, "their_lead": their_lead}


@pytest.fixture
def partner_client(client, world):
    client.force_login(UserFactory(role=Role.PARTNER, partner_name="GDQ Leads"))
    return client


def assert_clean(html: str) -> None:
    leaks = [secret for secret in SECRETS if secret in html]
    assert leaks == []


def test_the_jobs_board_lists_only_our_jobs_and_our_partner_in_its_filters(partner_client, world):
    page = partner_client.get(reverse("jobs:dashboard"), {"date": "all"}).content.decode()
    assert "Gina Garcia" in page and "GDQ Leads" in page and "Mike Hernandez" in page
    assert_clean(page)


def test_filtering_by_another_partners_id_shows_nothing_of_theirs(partner_client, world):
    raful = world["theirs"].source
    response = partner_client.get(reverse("jobs:dashboard"), {"date": "all", "source": raful.pk})
    assert_clean(response.content.decode())


def test_the_job_panel_shows_the_contractors_name_only_and_no_finance_lines(partner_client, world):
    page = partner_client.get(reverse("jobs:detail", args=[world["ours"].pk])).content.decode()
    assert "Mike Hernandez" in page and "Gina Garcia" in page
    assert "🔍 Contractor assigned: Mike Hernandez" in page  # the history stays
    assert_clean(page)


def test_staff_still_read_the_profit_share_and_finance_lines(client, world, owner):
    client.force_login(owner)
    page = client.get(reverse("jobs:detail", args=[world["ours"].pk])).content.decode()
    assert "profit share 35%" in page
    assert "(305) 555-0199" in page and "mike@hernandez-doors.com" in page
    assert "Contractor paid" in page and "$1,200" in page


def test_another_partners_job_and_lead_are_not_found(partner_client, world):
    assert partner_client.get(reverse("jobs:detail", args=[world["theirs"].pk])).status_code == 404
    their_lead = reverse("leads:detail", args=[world["their_lead"].pk])
    assert partner_client.get(their_lead).status_code == 404


def test_the_leads_page_and_panel_show_our_lead_only(partner_client, world):
    page = partner_client.get(reverse("leads:dashboard")).content.decode()
    assert "Gail" in page
    assert_clean(page)
    # Client details are the partner's own: a Fresh lead's number is not masked for it.
    assert world["our_lead"].phone_pretty in page
    panel = partner_client.get(reverse("leads:detail", args=[world["our_lead"].pk]))
    assert "Gail" in panel.content.decode()
    assert world["our_lead"].phone_pretty in panel.content.decode()
    assert_clean(panel.content.decode())


@pytest.mark.parametrize(
    "name",
    ["accounts:directory", "finance:dashboard", "contractors:list", "contractors:service_areas"],
)
def test_staff_pages_are_closed_to_partners(partner_client, name):
    assert partner_client.get(reverse(name)).status_code == 403
