"""Each webhook slot fires on exactly its event (spec: "Outbound webhooks" slot table,
"Job statuses (deep dive)", "Re-opening a Cancelled job", "Lead statuses & urgency",
"Finance dashboard"), driven through the real domain actions. The events they emit are
routed here (`routing.make_deliveries`); test_routing_handler.py runs the registered
handler end to end."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from automations.webhooks import routing
from automations.webhooks.models import FANOUT_ONLY, MAIN_ONLY, Delivery, Endpoint, Slot
from crm.accounts.models import Role
from crm.models import DomainEvent
from finance import services as finance
from jobs import services as jobs
from jobs.services.workiz_import import import_jobs, read_rows
from leads import services as leads
from tests.factories import (
    CancelReasonFactory,
    ContractorFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
    lead_source,
)
from tests.workiz import WORKIZ_FIELDS

pytestmark = pytest.mark.django_db
LEAD_EXTRAS = {"LeadId", "Office", "Urgency", "Campaign", "FbLeadId", "IrrelevantReason"}
FINANCE_EXTRAS = {
    "FinanceCancelReason",
    "FinanceCancelNote",
    "FinanceCancelledAt",
    "FinanceCancelledBy",
}
CONTRACTOR_PHONE, CONTRACTOR_EMAIL = "+13055559876", "mike.private@contractor.example"


# --- The cast ------------------------------------------------------------------------------


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def admin(sliding):
    return UserFactory(role=Role.ADMIN, first_name="Ada", offices=[sliding])


@pytest.fixture
def owner(db):
    return UserFactory(role=Role.OWNER, first_name="Olivia", last_name="Owens")


@pytest.fixture
def repair(db):
    return JobTypeFactory(label="Repair")


@pytest.fixture
def gdq(db):
    return JobPartnerFactory(name="GDQ")


@pytest.fixture
def miami(db):
    return ServiceAreaFactory(
        label="Miami", zip_code="33101", area_code="305", office_address="1 Brickell Ave"
    )


@pytest.fixture
def mike(repair, miami):
    """A contractor with private contacts: none may reach a webhook body."""
    return ContractorFactory(
        name="Mike Hernandez",
        job_types=[repair],
        service_areas=[miami],
        contact_phone=CONTRACTOR_PHONE,
        report_email=CONTRACTOR_EMAIL,
    )


@pytest.fixture
def new_job(sliding, repair, gdq, miami, mike):
    def fields(**overrides):
        return {
            "office": sliding,
            "first_name": "Emily",
            "last_name": "Harrison",
            "phone": "(305) 555-0142",
            "street": "100 Biscayne Blvd",
            "zip_code": "33132",
            "job_type": repair,
            "source": gdq,
            "service_area": miami,
            "contractor": mike,
            "starts_at": datetime.datetime(2026, 5, 2, 13, 0, tzinfo=datetime.UTC),
            **overrides,
        }

    return fields


@pytest.fixture
def every_endpoint(db):
    """Each slot's main URL (none for Expected Completion) and one unfiltered fan-out (none
    for BookBack Jobs)."""
    made = []
    for slot in Slot:
        if slot not in FANOUT_ONLY:
            made.append(
                Endpoint.objects.create(slot=slot, is_main=True, url=f"http://127.0.0.1:9/{slot}")
            )
        if slot not in MAIN_ONLY:
            made.append(
                Endpoint.objects.create(slot=slot, name="all", url=f"http://127.0.0.1:9/{slot}/all")
            )
    return made


def routed(action):
    """Run `action`, route the events it emitted; returns (its result, the deliveries made
    as a sorted list of (slot, "main" | "fan-out"))."""
    last = DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    result = action()
    new_events = list(DomainEvent.objects.filter(pk__gt=last).order_by("pk"))
    for event in new_events:
        routing.make_deliveries(event)
    made = Delivery.objects.filter(event_id__in=[event.pk for event in new_events])
    return result, sorted(
        (row.slot, "main" if row.endpoint.is_main else "fan-out")
        for row in made.select_related("endpoint")
    )


def both(slot):
    return [(slot, "fan-out"), (slot, "main")]


def bodies_of(slot) -> list[dict]:
    return [
        json.loads(body)
        for body in Delivery.objects.filter(slot=slot).values_list("body", flat=True)
    ]


# --- Jobs ----------------------------------------------------------------------------------


@pytest.fixture
def job(every_endpoint, admin, new_job):
    made, slots = routed(lambda: jobs.create_job(actor=admin, **new_job()))
    assert slots == sorted([*both(Slot.JOBS), (Slot.BOOKBACK_JOBS, "main")])
    return made


def test_a_new_job_fires_the_jobs_and_bookback_urls_only_with_its_workiz_payload(job):
    assert Delivery.objects.count() == 3
    (payload, *_) = bodies_of(Slot.BOOKBACK_JOBS)
    assert payload["Status"] == "Submitted"
    assert payload["Team"] == "Mike Hernandez"
    assert set(payload) >= WORKIZ_FIELDS | {"ExpectedCompletionDate"}
    assert bodies_of(Slot.JOBS) == [payload, payload]


def test_every_job_status_fires_its_own_slot_and_in_progress_or_pending_none(job, admin):
    move = lambda status, **fields: routed(  # noqa: E731
        lambda: jobs.change_status(job=job, actor=admin, status=status, **fields)
    )[1]
    assert move("in_progress") == []
    follow_up = datetime.datetime(2030, 1, 1, 15, tzinfo=datetime.UTC)
    assert move("pending", note="Waiting on parts", follow_up_at=follow_up) == []
    assert move("submitted") == []  # back to Submitted, but not re-opened: no new job
    assert move("done", closing_total="500", parts_total="40") == both(Slot.DONE)
    deposit = move(
        "deposit",
        note="Paid half",
        expected_completion=datetime.date(2030, 2, 1),
        deposit_amount="250",
    )
    # The initial deposit sets the expected completion date: its fan-outs hear it too.
    assert deposit == sorted([*both(Slot.DEPOSIT), (Slot.EXPECTED_COMPLETION, "fan-out")])
    (payload,) = bodies_of(Slot.EXPECTED_COMPLETION)
    assert (payload["ExpectedCompletionDate"], payload["DepositAmount"]) == ("2030-02-01", "250.00")
    assert move("cancelled", cancel_reason=CancelReasonFactory(label="Too pricey")) == both(
        Slot.CANCELLED
    )


def test_a_later_expected_completion_change_fires_the_expected_completion_fanouts_only(job, admin):
    jobs.change_status(
        job=job,
        actor=admin,
        status="deposit",
        note="Half",
        expected_completion=datetime.date(2030, 2, 1),
        deposit_amount=Decimal("100"),
    )
    Delivery.objects.all().delete()
    _, slots = routed(
        lambda: jobs.change_expected_completion(
            job=job, actor=admin, expected_completion=datetime.date(2030, 3, 9)
        )
    )
    assert slots == [(Slot.EXPECTED_COMPLETION, "fan-out")]
    (payload,) = bodies_of(Slot.EXPECTED_COMPLETION)
    assert payload["ExpectedCompletionDate"] == "2030-03-09"


def test_a_cancelled_job_reopened_to_submitted_fires_the_jobs_url_again_not_bookback(job, admin):
    jobs.change_status(
        job=job, actor=admin, status="cancelled", cancel_reason=CancelReasonFactory()
    )
    _, slots = routed(lambda: jobs.change_status(job=job, actor=admin, status="submitted"))
    assert slots == both(Slot.JOBS)


def test_a_cancelled_job_reopened_to_done_fires_the_done_url(job, admin):
    jobs.change_status(
        job=job, actor=admin, status="cancelled", cancel_reason=CancelReasonFactory()
    )
    _, slots = routed(
        lambda: jobs.change_status(
            job=job, actor=admin, status="done", closing_total="1", parts_total="0"
        )
    )
    assert slots == both(Slot.DONE)


def test_a_finance_cancel_fires_its_slot_with_the_finance_cancel_extras(job, admin, owner):
    jobs.change_status(job=job, actor=admin, status="done", closing_total="900", parts_total="100")
    _, slots = routed(
        lambda: finance.finance_cancel(
            job=job, actor=owner, reason="Chargeback", note="Card dispute"
        )
    )
    assert slots == both(Slot.FINANCE_CANCELLED)
    for payload in bodies_of(Slot.FINANCE_CANCELLED):
        assert payload["Status"] == "Done"  # the job's own status stays
        assert payload["FinanceCancelReason"] == "Chargeback"
        assert payload["FinanceCancelNote"] == "Card dispute"
        assert payload["FinanceCancelledBy"] == "Olivia Owens"
        assert payload["FinanceCancelledAt"].startswith(str(datetime.date.today().year))
        assert set(payload) >= WORKIZ_FIELDS | FINANCE_EXTRAS


def test_other_job_edits_fire_nothing(job, admin):
    _, slots = routed(
        lambda: jobs.update_field(job=job, actor=admin, field="email", value="e@example.com")
    )
    assert slots == []


def test_a_workiz_import_fires_nothing(every_endpoint, admin, sliding, repair, gdq, mike):
    export = (
        "Job #,Client,Phone,Email,Address,City,State,Zip,Scheduled,Type,Source,Status,Tech,"
        "Job Total,Created\n"
        "21430,Mike Patel,(305) 555-0142,m@example.com,100 Biscayne Blvd,Miami,FL,33132,"
        "05/03/2026 9:00 AM,Repair,GDQ,Submitted,Mike Hernandez,0,04/28/2026 10:12 AM\n"
        "21431,Ann Lee,(305) 555-0143,,100 Biscayne Blvd,Miami,FL,33132,"
        "05/03/2026 9:00 AM,Repair,GDQ,Done,Mike Hernandez,350,04/28/2026 10:12 AM\n"
    )
    rows = read_rows(SimpleUploadedFile("jobs.csv", export.encode()))
    result, slots = routed(lambda: import_jobs(actor=admin, rows=rows, office=sliding))
    assert len(result.created) == 2
    assert DomainEvent.objects.filter(name="job.imported").exists()
    assert slots == []


def test_contractor_contact_details_are_in_no_body(job, admin, owner):
    jobs.change_status(job=job, actor=admin, status="done", closing_total="900", parts_total="100")
    finance.finance_cancel(job=job, actor=owner, reason="Refund")
    for event in DomainEvent.objects.all():
        routing.make_deliveries(event)
    assert Delivery.objects.count() == 7
    for body in Delivery.objects.values_list("body", flat=True):
        assert "Mike Hernandez" in body
        assert CONTRACTOR_PHONE not in body and "9876" not in body
        assert CONTRACTOR_EMAIL not in body


# --- Leads ---------------------------------------------------------------------------------


@pytest.fixture
def lead(every_endpoint, sliding):
    made, slots = routed(
        lambda: leads.create_lead(
            office=sliding,
            source=lead_source("facebook"),
            first_name="Rosa",
            last_name="Diaz",
            phone="+13055550199",
            via="webhook",
            partner_name="GDQ",
            campaign="Spring",
        )
    )
    assert slots == both(Slot.NEW_LEAD)
    return made


def test_a_new_lead_fires_new_lead_with_the_lead_extras(lead):
    for payload in bodies_of(Slot.NEW_LEAD):
        assert set(payload) >= WORKIZ_FIELDS | LEAD_EXTRAS
        assert (payload["LeadId"], payload["Office"], payload["Campaign"]) == (
            lead.pk,
            "Sliding",
            "Spring",
        )
        assert payload["Status"] == "Fresh"


@pytest.mark.parametrize("via", ["manual", "import", "online booking"])
def test_every_door_a_lead_comes_through_fires_new_lead(every_endpoint, sliding, owner, via):
    _, slots = routed(
        lambda: leads.create_lead(
            office=sliding,
            source=lead_source("facebook"),
            first_name="Al",
            phone="+13055550100",
            via=via,
            actor=owner if via == "manual" else None,
        )
    )
    assert slots == both(Slot.NEW_LEAD)


def test_a_lead_gone_irrelevant_fires_cancelled_leads_with_its_reason(lead, owner):
    _, slots = routed(
        lambda: leads.change_status(
            lead=lead, actor=owner, status="irrelevant", reason="Prank call"
        )
    )
    assert slots == both(Slot.CANCELLED_LEADS)
    for payload in bodies_of(Slot.CANCELLED_LEADS):
        assert (payload["Status"], payload["IrrelevantReason"]) == ("Irrelevant", "Prank call")


def test_other_lead_moves_fire_nothing(lead, owner):
    later = datetime.datetime(2030, 1, 1, 15, tzinfo=datetime.UTC)
    _, slots = routed(
        lambda: leads.change_status(
            lead=lead, actor=owner, status="needs_follow_up", next_contact_at=later
        )
    )
    assert slots == []
    _, slots = routed(lambda: leads.change_status(lead=lead, actor=owner, status="converted"))
    assert slots == []


# --- Once per event and endpoint -----------------------------------------------------------


def test_routing_an_event_twice_makes_no_second_delivery_and_one_webhook_id(job):
    event = DomainEvent.objects.get(name="job.created")
    assert routing.make_deliveries(event) == {}
    assert Delivery.objects.count() == 3
    ids = set(Delivery.objects.values_list("webhook_id", flat=True))
    assert ids == {routing.webhook_id(event.pk)}
    assert next(iter(ids)).startswith("msg_")
    assert routing.webhook_id(event.pk) != routing.webhook_id(event.pk + 1)


def test_a_delivery_is_due_now_pending_with_its_body_stored(job):
    delivery = Delivery.objects.get(slot=Slot.BOOKBACK_JOBS)
    assert (delivery.state, delivery.attempts, delivery.content_type) == (
        "pending",
        0,
        "application/json",
    )
    assert delivery.next_attempt_at is not None
    assert (delivery.event_name, delivery.url) == (
        "job.created",
        f"http://127.0.0.1:9/{Slot.BOOKBACK_JOBS}",
    )
