"""Finance-cancel (chargeback, refund, dispute): independent of the job's real status,
reversible, and the event the Finance-Cancelled Jobs webhook will carry. Archiving from
Finance is the jobs archive, reflected everywhere."""

import datetime

import pytest
import time_machine

from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from finance.queries import finance_jobs
from finance.services import finance_cancel, undo_finance_cancel
from jobs.models import Job, Status
from jobs.services import archive_job, restore_job

pytestmark = pytest.mark.django_db

CANCELLED_AT = datetime.datetime(2026, 5, 7, 18, 0, tzinfo=datetime.UTC)


def timeline(job) -> list[str]:
    return [entry.body for entry in TimelineEntry.objects.for_subject(job).order_by("id")]


@pytest.mark.parametrize("status", [Status.DONE, Status.DEPOSIT])
@time_machine.travel(CANCELLED_AT, tick=False)
def test_finance_cancel_keeps_the_real_status_and_fires_its_event(make_job, fiona, status):
    job = make_job(status=status)

    finance_cancel(job=job, actor=fiona, reason=" Chargeback ", note="Card dispute #4411")

    job.refresh_from_db()
    assert job.status == status  # the Jobs board still shows Done / Deposit
    assert job.is_finance_cancelled and job.finance_cancelled_by == fiona
    assert job.finance_cancelled_at == CANCELLED_AT
    assert (job.finance_cancel_reason, job.finance_cancel_note) == (
        "Chargeback",
        "Card dispute #4411",
    )
    assert timeline(job) == ["💸 Finance-cancelled: Chargeback · note: Card dispute #4411"]
    assert AuditEvent.objects.get(kind="job.finance_cancelled").metadata["reason"] == "Chargeback"
    event = DomainEvent.objects.get(name="job.finance_cancelled")
    assert event.office_id == job.office_id and event.partner_name == "GDQ"
    assert event.payload.pop("snapshot")[
        "FinanceCancelReason"
    ] == "Chargeback" and event.payload == {
        "job": job.pk,
        "status": status,
        "FinanceCancelReason": "Chargeback",
        "FinanceCancelNote": "Card dispute #4411",
        "FinanceCancelledAt": "2026-05-07T18:00:00+00:00",
        "FinanceCancelledBy": "Fiona Finch",
    }
    assert not DomainEvent.objects.filter(name="job.status_changed").exists()


def test_undo_cancel_puts_the_job_back_and_keeps_its_status(job, fiona):
    finance_cancel(job=job, actor=fiona, reason="Refund")

    undo_finance_cancel(job=job, actor=fiona)

    job.refresh_from_db()
    assert job.status == Status.DONE and not job.is_finance_cancelled
    assert job.finance_cancelled_by is None and job.finance_cancel_reason == ""
    assert timeline(job)[-1] == "↺ Finance-cancel undone (was: Refund)"
    assert AuditEvent.objects.filter(kind="job.finance_cancel_undone").count() == 1
    assert DomainEvent.objects.filter(name="job.finance_cancel_undone").count() == 1


def test_a_reason_is_required(job, fiona):
    for reason in ("", "   ", None):
        with pytest.raises(DomainError, match="Give the reason"):
            finance_cancel(job=job, actor=fiona, reason=reason, note="no reason given")

    job.refresh_from_db()
    assert not job.is_finance_cancelled and job.finance_cancel_note == ""
    assert not TimelineEntry.objects.exists() and not DomainEvent.objects.exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.PENDING, Status.CANCELLED])
def test_only_done_and_deposit_jobs_are_finance_cancelled(make_job, fiona, status):
    job = make_job(status=status)

    with pytest.raises(DomainError, match="Only Deposit and Done"):
        finance_cancel(job=job, actor=fiona, reason="Refund")

    assert not Job.objects.get(pk=job.pk).is_finance_cancelled


def test_cancelling_twice_or_undoing_a_live_job_is_refused(job, fiona):
    with pytest.raises(DomainError, match="isn't finance-cancelled"):
        undo_finance_cancel(job=job, actor=fiona)
    finance_cancel(job=job, actor=fiona, reason="Refund")
    with pytest.raises(DomainError, match="already finance-cancelled"):
        finance_cancel(job=job, actor=fiona, reason="Dispute")

    assert Job.objects.get(pk=job.pk).finance_cancel_reason == "Refund"


def test_archiving_from_finance_is_the_jobs_archive_reflected_everywhere(job, fiona):
    finance_cancel(job=job, actor=fiona, reason="Duplicate booking")

    archive_job(job=job, actor=fiona)

    assert job not in finance_jobs(fiona)
    assert job not in Job.objects.visible_to(fiona)  # the Jobs board
    assert job in Job.objects.visible_to(fiona, archived=True)  # 📦 Archived
    assert AuditEvent.objects.filter(kind="job.archived").count() == 1
    assert timeline(job)[-1] == "📦 Archived"

    restore_job(job=job, actor=fiona)

    job.refresh_from_db()
    assert job in finance_jobs(fiona)
    assert job.is_finance_cancelled and job.status == Status.DONE  # restore keeps both
