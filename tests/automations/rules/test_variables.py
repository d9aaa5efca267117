"""Template variables: exactly the spec's names per trigger group, each one rendered from
its field, empties and unknowns as "", wrong-group and unknown names refused on save."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from automations.rules import variables
from automations.rules.models import Trigger
from crm.errors import DomainError
from tests.factories import ContractorFactory, JobFactory, LeadFactory, OfficeFactory

pytestmark = pytest.mark.django_db
JOB_VARIABLES = [
    "job.id",
    "job.displayId",
    "job.address",
    "job.city",
    "job.state",
    "job.postalCode",
    "job.dateStart",
    "job.timeStart",
    "job.dateEnd",
    "job.timeEnd",
    "job.jobType",
    "job.jobSource",
    "job.company",
    "job.status",
    "job.notes",
]
LEAD_VARIABLES = [
    "lead.id",
    "lead.fullName",
    "lead.firstName",
    "lead.lastName",
    "lead.phone",
    "lead.email",
    "lead.zip",
    "lead.serviceType",
    "lead.callTiming",
    "lead.urgency",
    "lead.source",
    "lead.status",
    "lead.notes",
    "lead.campaign",
    "lead.adName",
]
CLIENT = "client.firstName client.lastName client.fullName client.phone client.email client.address"
CONTRACTOR = "contractor.name contractor.phone contractor.email"


def test_the_picker_offers_exactly_the_spec_names_of_the_trigger_group():
    job = set(variables.variables_for(Trigger.BEFORE_JOB_START))
    lead = set(variables.variables_for(Trigger.LEAD_STATUS_CHANGED))
    assert job == {*JOB_VARIABLES, *CLIENT.split(), *CONTRACTOR.split(), "office.name"}
    assert lead == {*LEAD_VARIABLES, *CLIENT.split(), "office.name"}


def test_every_job_variable_renders_on_the_jobs_own_clock():
    los_angeles = ZoneInfo("America/Los_Angeles")
    job = JobFactory(
        office=OfficeFactory(name="Garage"),
        contractor=ContractorFactory(
            name="Ace Doors", contact_phone="+13055550100", report_email="ace@example.com"
        ),
        first_name="Ann",
        last_name="Lee",
        phone="+13055550142",
        email="ann@example.com",
        street="1 Main St",
        city="Fresno",
        state="CA",
        zip_code="93650",
        timezone="America/Los_Angeles",
        starts_at=datetime.datetime(2026, 4, 30, 14, 0, tzinfo=los_angeles),
        ends_at=datetime.datetime(2026, 4, 30, 16, 30, tzinfo=los_angeles),
        company="Door Pros",
        notes="Gate code 12",
        job_type__label="Repair",
        source__name="Angi",
    )
    text = " | ".join(
        "{{" + name + "}}" for name in JOB_VARIABLES + CLIENT.split() + CONTRACTOR.split()
    )
    rendered = variables.render(text + " | {{office.name}}", variables.job_context(job))
    assert rendered.split(" | ") == [
        str(job.pk),
        job.display_id,
        "1 Main St, Fresno, CA 93650",
        "Fresno",
        "CA",
        "93650",
        "Thu, Apr 30",
        "2:00 PM",
        "Thu, Apr 30",
        "4:30 PM",
        "Repair",
        "Angi",
        "Door Pros",
        "Submitted",
        "Gate code 12",
        "Ann",
        "Lee",
        "Ann Lee",
        "+13055550142",
        "ann@example.com",
        "1 Main St, Fresno, CA 93650",
        "Ace Doors",
        "+13055550100",
        "ace@example.com",
        "Garage",
    ]


def test_every_lead_variable_renders():
    lead = LeadFactory(
        office=OfficeFactory(name="Sliding"),
        first_name="Bo",
        last_name="Diaz",
        phone="+13055550199",
        email="bo@example.com",
        zip_code="33101",
        city="Miami",
        state="FL",
        service_type="Door repair",
        how_soon="This week",
        notes="Call after 5",
        campaign="Spring",
        ad_name="Ad 7",
    )
    text = " | ".join("{{" + name + "}}" for name in LEAD_VARIABLES + CLIENT.split())
    rendered = variables.render(text + " | {{office.name}}", variables.lead_context(lead))
    assert rendered.split(" | ") == [
        str(lead.pk),
        "Bo Diaz",
        "Bo",
        "Diaz",
        "+13055550199",
        "bo@example.com",
        "33101",
        "Door repair",
        "This week",
        "High",
        lead.source.label,
        "Fresh",
        "Call after 5",
        "Spring",
        "Ad 7",
        "Bo",
        "Diaz",
        "Bo Diaz",
        "+13055550199",
        "bo@example.com",
        "Miami, FL 33101",
        "Sliding",
    ]


def test_empty_and_missing_values_render_as_nothing():
    job = JobFactory(contractor=None, email="", notes="")
    context = variables.job_context(job)
    assert (
        variables.render("[{{contractor.name}}][{{client.email}}][{{job.notes}}]", context)
        == "[][][]"
    )
    assert variables.render("[{{ job.nope }}]", context) == "[]"
    assert variables.render("{{ job.displayId }}", context) == job.display_id


@pytest.mark.parametrize(
    ("text", "trigger", "message"),
    [
        ("{{lead.firstName}}", Trigger.JOB_CREATED, r"\{\{lead.firstName\}\} can't be used"),
        (
            "{{job.id}} {{contractor.name}}",
            Trigger.LEAD_CREATED,
            "can't be used with a lead trigger",
        ),
        ("{{job.start}}", Trigger.JOB_CREATED, r"Unknown variable: \{\{job.start\}\}"),
        ("{{client}}", Trigger.LEAD_CREATED, "Unknown variable"),
    ],
)
def test_wrong_group_and_unknown_variables_are_refused_by_name(text, trigger, message):
    with pytest.raises(DomainError, match=message):
        variables.check_template(text, trigger)


def test_a_template_with_only_its_groups_names_passes():
    variables.check_template(
        "{{client.fullName}} {{office.name}} {{lead.adName}}", Trigger.LEAD_CREATED
    )
    variables.check_template("{{contractor.phone}} {{job.timeEnd}}", Trigger.AFTER_JOB_END)
