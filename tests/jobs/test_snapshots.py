"""Job events carry the job as it was at emit time (the Workiz-shape snapshot), and
building it costs the action no query: only the event's INSERT."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.events import jsonable
from crm.models import DomainEvent
from jobs.models import Job, Status
from jobs.payloads import SNAPSHOT_RELATED, job_snapshot, with_tag_labels
from jobs.services import (
    change_address,
    change_expected_completion,
    change_status,
    create_job,
    set_tags,
    update_field,
)
from tests.factories import JobFactory, JobTagFactory
from tests.workiz import WORKIZ_FIELDS

pytestmark = pytest.mark.django_db

SNAPSHOT_FIELDS = WORKIZ_FIELDS | {"ExpectedCompletionDate"}


def event(name: str) -> DomainEvent:
    return DomainEvent.objects.filter(name=name).latest("pk")


def as_stored_now(job: Job) -> dict:
    """The snapshot of the job as the database holds it at this moment, as stored."""
    fresh = with_tag_labels(Job.objects.select_related(*SNAPSHOT_RELATED)).get(pk=job.pk)
    return jsonable(job_snapshot(fresh))


@pytest.fixture
def booked(agent, new_job, miami, mike):
    tags = [JobTagFactory(label="VIP"), JobTagFactory(label="Glass")]
    return create_job(
        actor=agent, tags=tags, **new_job(service_area=miami, contractor=mike, company="Acme")
    )


def test_a_snapshot_equals_the_job_at_emit_time_after_the_job_changes(agent, admin, booked):
    at_creation = as_stored_now(booked)
    assert event("job.created").payload["snapshot"] == at_creation

    update_field(job=booked, actor=agent, field="first_name", value="Emilia")
    set_tags(job=booked, actor=admin, tags=[])
    change_status(
        job=booked,
        actor=agent,
        status=Status.DONE,
        closing_total=Decimal("900"),
        parts_total=Decimal("120.50"),
    )
    Job.objects.filter(pk=booked.pk).delete()  # even gone, its events still tell what it was

    created = event("job.created").payload["snapshot"]
    assert created == at_creation
    assert (created["FirstName"], created["Status"], created["Tags"]) == (
        "Emily",
        "Submitted",
        ["Glass", "VIP"],
    )
    done = event("job.status_changed").payload["snapshot"]
    assert (done["FirstName"], done["Status"], done["Tags"]) == ("Emilia", "Done", [])


def test_the_snapshot_is_the_workiz_shape_with_the_contractors_name_only(booked, mike):
    snapshot = event("job.created").payload["snapshot"]
    assert set(snapshot) == SNAPSHOT_FIELDS
    assert snapshot["UUID"] == str(booked.uuid)
    assert (snapshot["SerialId"], snapshot["DisplayId"]) == (3542, "JOB-3542")
    assert snapshot["Team"] == "Mike Hernandez"
    assert (snapshot["ServiceArea"], snapshot["AreaCode"]) == ("Miami", "305")
    assert (snapshot["Office"], snapshot["JobSource"], snapshot["JobType"]) == (
        "Sliding",
        "GDQ",
        "Repair",
    )
    assert snapshot["OfficeAddress"] == "1 Brickell Ave, Miami, FL"
    assert snapshot["JobDateTime"] == "2026-05-02T09:00:00-04:00"  # the job's own clock
    assert snapshot["Company"] == "Acme" and snapshot["Country"] == "US"
    assert "webhooks" not in event("job.created").payload


def test_every_job_gets_its_own_uuid(sliding, gdq):
    first, second = JobFactory(office=sliding, source=gdq), JobFactory(office=sliding, source=gdq)
    assert first.uuid and second.uuid and first.uuid != second.uuid


def test_updates_say_which_field_changed_from_what_to_what(agent, admin, booked, miami):
    update_field(job=booked, actor=agent, field="last_name", value="Harris")
    assert {k: event("job.updated").payload[k] for k in ("field", "old", "new")} == {
        "field": "last_name",
        "old": "Harrison",
        "new": "Harris",
    }
    set_tags(job=booked, actor=admin, tags=[JobTagFactory(label="Warranty")])
    payload = event("job.updated").payload
    assert (payload["field"], payload["old"], payload["new"]) == (
        "tags",
        ["Glass", "VIP"],
        ["Warranty"],
    )
    assert payload["snapshot"]["Tags"] == ["Warranty"]
    change_address(job=booked, actor=agent, street="5 Ocean Dr", zip_code="33139")
    payload = event("job.updated").payload
    assert payload["field"] == "address" and payload["old"].startswith("100 Biscayne Blvd")
    assert (
        payload["new"].startswith("5 Ocean Dr") and payload["snapshot"]["Address"] == "5 Ocean Dr"
    )


def test_a_finance_cancelled_job_adds_the_finance_cancel_fields(agent, booked):
    Job.objects.filter(pk=booked.pk).update(
        status=Status.DONE,
        finance_cancelled_at=timezone.now(),
        finance_cancel_reason="Chargeback",
        finance_cancelled_by=agent,
    )
    update_field(job=booked, actor=agent, field="notes", value="Card dispute")
    snapshot = event("job.updated").payload["snapshot"]
    assert snapshot["FinanceCancelReason"] == "Chargeback"
    assert snapshot["FinanceCancelledBy"] == agent.full_name


# --- What the snapshot costs: nothing but the event's INSERT -------------------------


SPARE = {}


ACTIONS = {
    # action: (queries, call). Each: savepoint, the lock SELECT (with the snapshot's rows
    # and tag labels), its writes, the timeline (and audit) INSERT, the event INSERT.
    "update_field": (
        6,
        lambda job, agent, admin: update_field(
            job=job, actor=agent, field="first_name", value="Emilia"
        ),
    ),
    "change_status": (
        7,
        lambda job, agent, admin: change_status(
            job=job,
            actor=agent,
            status=Status.DEPOSIT,
            note="Parts",
            deposit_amount=Decimal("150"),
            expected_completion=datetime.date(2026, 5, 9),
        ),
    ),
    # + the tags' own SELECT, DELETE and INSERT (`job.tags.set`); none for the snapshot.
    "set_tags": (
        8,
        lambda job, agent, admin: set_tags(job=job, actor=admin, tags=[SPARE["tag"]]),
    ),
    "change_expected_completion": (
        6,
        lambda job, agent, admin: change_expected_completion(
            job=job, actor=agent, expected_completion=datetime.date(2026, 6, 1)
        ),
    ),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_a_job_action_with_its_snapshot_adds_only_the_event_insert(
    name, agent, admin, booked, django_assert_num_queries
):
    expected, action = ACTIONS[name]
    if name == "change_expected_completion":
        ACTIONS["change_status"][1](booked, agent, admin)  # only a Deposit job has one
    SPARE["tag"] = JobTagFactory(label="Spare")  # built outside the count
    # The permission check reads the actor's offices, cached per request user (the topbar
    # has read them before any action runs).
    assert agent.office_ids and admin.office_ids
    with django_assert_num_queries(expected) as captured:
        action(booked, agent, admin)
    sqls = [query["sql"] for query in captured.captured_queries]
    touching = [sql for sql in sqls if "crm_domainevent" in sql]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    # What the snapshot reads is never fetched on its own: the lock query brings it.
    lookups = ("accounts_office", "contractors_", "accounts_user")
    assert not [
        sql for sql in sqls[2:] if sql.startswith("SELECT") and any(t in sql for t in lookups)
    ]
