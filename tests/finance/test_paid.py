"""Contractor paid / Partner paid: stamped with who and when; a house brand's Done jobs
are partner-paid automatically ("Auto")."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from finance.services import set_contractor_paid, set_partner_paid
from jobs.models import Job, Status
from jobs.services import change_status

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 5, 8, 15, 30, tzinfo=datetime.UTC)


def timeline(job) -> list[str]:
    return [entry.body for entry in TimelineEntry.objects.for_subject(job).order_by("id")]


@time_machine.travel(PAID_AT, tick=False)
def test_marking_the_contractor_paid_stamps_who_and_when(job, fiona):
    set_contractor_paid(job=job, actor=fiona, paid=True)
    set_contractor_paid(job=job, actor=fiona, paid=True)  # a second click changes nothing

    job.refresh_from_db()
    assert job.contractor_paid_at == PAID_AT and job.contractor_paid_by == fiona
    assert timeline(job) == ["✓ Contractor paid (Mike Hernandez)"]
    assert AuditEvent.objects.get(kind="job.paid_changed").metadata["party"] == "contractor"
    payload = DomainEvent.objects.get(name="job.paid_changed").payload
    assert payload.pop("snapshot")["SerialId"] == job.number and payload == {
        "job": job.pk,
        "party": "contractor",
        "paid": True,
        "auto": False,
    }

    set_contractor_paid(job=job, actor=fiona, paid=False)

    job.refresh_from_db()
    assert job.contractor_paid_at is None and job.contractor_paid_by is None
    assert timeline(job)[-1] == "↺ Contractor paid cleared (Mike Hernandez)"


@time_machine.travel(PAID_AT, tick=False)
def test_marking_the_partner_paid_stamps_who_and_when(job, fiona):
    set_partner_paid(job=job, actor=fiona, paid=True)

    job.refresh_from_db()
    assert (job.partner_paid_at, job.partner_paid_by, job.partner_paid_auto) == (
        PAID_AT,
        fiona,
        False,
    )
    assert timeline(job) == ["✓ Partner paid (GDQ)"]


def test_a_job_without_a_contractor_has_nobody_to_mark_paid(make_job, fiona):
    job = make_job(contractor=None, profit_share=None)

    with pytest.raises(DomainError, match="no contractor"):
        set_contractor_paid(job=job, actor=fiona, paid=True)

    assert Job.objects.get(pk=job.pk).contractor_paid_at is None


def test_paid_flags_are_for_deposit_and_done_jobs(make_job, fiona):
    job = make_job(status=Status.PENDING)

    with pytest.raises(DomainError, match="Only Deposit and Done"):
        set_partner_paid(job=job, actor=fiona, paid=True)


@pytest.fixture
def in_progress(make_job, house):
    return make_job(source=house, status=Status.IN_PROGRESS, closing_total=None, parts_total=None)


@time_machine.travel(PAID_AT, tick=False)
def test_a_house_brand_job_going_done_is_partner_paid_automatically(
    in_progress, fiona, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # finance hears job.status_changed
        change_status(
            job=in_progress,
            actor=fiona,
            status=Status.DONE,
            closing_total=Decimal("620"),
            parts_total=Decimal("45"),
        )

    job = Job.objects.get(pk=in_progress.pk)
    assert job.status == Status.DONE
    assert (job.partner_paid_at, job.partner_paid_by, job.partner_paid_auto) == (
        PAID_AT,
        None,
        True,
    )
    assert job.contractor_paid_at is None  # the contractor still waits for a person
    assert timeline(job) == [
        "Status: In Progress → Done · closing $620.00 · parts $45.00",
        "✓ Partner paid — Auto (BookBack Home keeps 100%)",
    ]
    audit = AuditEvent.objects.get(kind="job.paid_changed")
    assert audit.actor is None and audit.actor_label == "System"
    assert DomainEvent.objects.get(name="job.paid_changed").payload["auto"] is True


def test_a_partner_keeping_less_than_100_percent_is_not_marked(make_job, fiona):
    job = make_job(status=Status.IN_PROGRESS, closing_total=None, parts_total=None)

    change_status(
        job=job, actor=fiona, status=Status.DONE, closing_total=Decimal("620"), parts_total=0
    )

    job.refresh_from_db()
    assert job.partner_paid_at is None and not job.partner_paid_auto


def test_only_done_stamps_and_an_existing_stamp_is_kept(in_progress, fiona):
    change_status(
        job=in_progress,
        actor=fiona,
        status=Status.DEPOSIT,
        note="Parts ordered",
        expected_completion=datetime.date(2026, 5, 9),
        deposit_amount=Decimal("150"),
    )
    assert Job.objects.get(pk=in_progress.pk).partner_paid_at is None

    set_partner_paid(job=in_progress, actor=fiona, paid=True)  # a person marked it first
    change_status(
        job=in_progress, actor=fiona, status=Status.DONE, closing_total=500, parts_total=0
    )

    job = Job.objects.get(pk=in_progress.pk)
    assert job.partner_paid_by == fiona and not job.partner_paid_auto
    assert AuditEvent.objects.filter(kind="job.paid_changed").count() == 1


def test_a_person_clearing_an_auto_stamp_clears_auto(in_progress, fiona):
    change_status(job=in_progress, actor=fiona, status=Status.DONE, closing_total=1, parts_total=0)

    set_partner_paid(job=in_progress, actor=fiona, paid=False)

    job = Job.objects.get(pk=in_progress.pk)
    assert job.partner_paid_at is None and not job.partner_paid_auto


def test_the_house_brand_handler_run_twice_stamps_once(
    in_progress, fiona, django_capture_on_commit_callbacks
):
    from finance.handlers import stamp_house_brand_on_done

    with django_capture_on_commit_callbacks(execute=True):
        change_status(
            job=in_progress,
            actor=fiona,
            status=Status.DONE,
            closing_total=Decimal("620"),
            parts_total=Decimal("45"),
        )
    stamp_house_brand_on_done(DomainEvent.objects.get(name="job.status_changed"))  # redelivered
    assert AuditEvent.objects.filter(kind="job.paid_changed").count() == 1
