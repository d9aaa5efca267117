"""The side panel's inline edits: Closing, Parts, Deposit, Profit % — validated, exact,
and each one on the timeline (old → new) and in the audit log."""

from decimal import Decimal

import pytest

from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from finance.money import job_payout
from finance.services import PartsOverClosing, update_money
from jobs.models import Job, Status

pytestmark = pytest.mark.django_db


def timeline(job) -> list[str]:
    return [entry.body for entry in TimelineEntry.objects.for_subject(job)]


def test_editing_the_closing_writes_old_to_new_with_the_payout_it_moves(job, fiona):
    update_money(job=job, actor=fiona, field="closing_total", value="1,000.00")

    job.refresh_from_db()
    assert job.closing_total == Decimal("1000.00")
    assert job_payout(job) == Decimal("615.65")  # (1000 − 120.50) × 0.70
    assert timeline(job) == ["💰 Closing: $900.00 → $1,000.00 · payout $545.65 → $615.65"]
    entry = AuditEvent.objects.get(kind="job.money_changed")
    assert entry.actor == fiona and entry.office == job.office
    assert entry.text == f"{job.display_id} Emily Harrison: Closing: $900.00 → $1,000.00"
    assert entry.metadata["old"] == "900.00" and entry.metadata["new"] == "1000.00"
    event = DomainEvent.objects.get(name="job.money_changed")
    assert event.payload.pop("snapshot")["SerialId"] == job.number and event.payload == {
        "job": job.pk,
        "field": "closing_total",
        "old": "900.00",
        "new": "1000.00",
    }


@pytest.mark.parametrize(
    ("field", "value", "saved", "line"),
    [
        ("parts_total", "$80", Decimal("80.00"), "💰 Parts: $120.50 → $80.00"),
        ("deposit_amount", Decimal("150"), Decimal("150.00"), "💰 Deposit: — → $150.00"),
        ("profit_share", "35", Decimal("35.00"), "💰 Profit %: 30% → 35%"),
        ("profit_share", "100", Decimal("100.00"), "💰 Profit %: 30% → 100%"),
        ("profit_share", "0", Decimal("0.00"), "💰 Profit %: 30% → 0%"),
        ("deposit_amount", "0", Decimal("0.00"), "💰 Deposit: — → $0.00"),
    ],
)
def test_each_money_field_saves_exactly(job, fiona, field, value, saved, line):
    update_money(job=job, actor=fiona, field=field, value=value)

    job.refresh_from_db()
    assert getattr(job, field) == saved
    assert timeline(job)[0].startswith(line)
    assert AuditEvent.objects.filter(kind="job.money_changed").count() == 1


def test_saving_the_same_amount_writes_nothing(job, fiona):
    update_money(job=job, actor=fiona, field="closing_total", value="900")

    assert timeline(job) == []
    assert not AuditEvent.objects.exists() and not DomainEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closing_total", "", "Enter the closing"),
        ("closing_total", None, "Enter the closing"),
        ("closing_total", "twelve", "must be a number"),
        ("closing_total", "NaN", "must be a number"),
        ("closing_total", "Infinity", "must be a number"),
        ("closing_total", "-1", "can't be negative"),
        ("parts_total", "-0.01", "can't be negative"),
        ("deposit_amount", "10.005", "at most 2 decimal places"),
        ("closing_total", "100000000", "too large"),
        ("profit_share", "100.01", "between 0 and 100"),
        ("profit_share", "-5", "can't be negative"),
        ("status", "done", "can't be edited here"),
        ("contractor_paid_at", "2026-05-01", "can't be edited here"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(job, fiona, field, value, message):
    before = Job.objects.values().get(pk=job.pk)

    with pytest.raises(DomainError, match=message):
        update_money(job=job, actor=fiona, field=field, value=value)

    assert Job.objects.values().get(pk=job.pk) == before
    assert timeline(job) == []
    assert not AuditEvent.objects.exists() and not DomainEvent.objects.exists()


def test_parts_above_the_closing_need_a_confirmation(job, fiona):
    before = Job.objects.values().get(pk=job.pk)
    with pytest.raises(PartsOverClosing, match=r"Parts \(\$950.00\) are more than"):
        update_money(job=job, actor=fiona, field="parts_total", value="950")
    with pytest.raises(PartsOverClosing):
        update_money(job=job, actor=fiona, field="closing_total", value="100")
    assert Job.objects.values().get(pk=job.pk) == before
    assert timeline(job) == []

    update_money(
        job=job, actor=fiona, field="parts_total", value="950", confirm_parts_over_closing=True
    )

    job.refresh_from_db()
    assert job.parts_total == Decimal("950.00")
    assert job_payout(job) == Decimal("-35.00")  # (900 − 950) × 0.70: the contractor owes
    assert timeline(job) == ["💰 Parts: $120.50 → $950.00 · payout $545.65 → -$35.00"]


def test_parts_equal_to_the_closing_need_no_confirmation(job, fiona):
    update_money(job=job, actor=fiona, field="parts_total", value="900.00")

    job.refresh_from_db()
    assert job.parts_total == Decimal("900.00") and job_payout(job) == Decimal("0.00")


def test_deposit_and_profit_edits_skip_the_parts_check(make_job, fiona):
    job = make_job(parts_total=Decimal("950"))  # confirmed earlier

    update_money(job=job, actor=fiona, field="deposit_amount", value="50")

    assert Job.objects.get(pk=job.pk).deposit_amount == Decimal("50.00")


def test_a_deposit_job_gets_its_first_closing(make_job, fiona):
    job = make_job(status=Status.DEPOSIT, closing_total=None, parts_total=None)

    update_money(job=job, actor=fiona, field="closing_total", value="1450")

    assert timeline(job) == ["💰 Closing: — → $1,450.00 · payout $0.00 → $1,015.00"]


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_PROGRESS, Status.CANCELLED])
def test_only_deposit_and_done_jobs_are_edited_here(make_job, fiona, status):
    job = make_job(status=status)

    with pytest.raises(DomainError, match="Only Deposit and Done jobs"):
        update_money(job=job, actor=fiona, field="closing_total", value="1000")

    assert Job.objects.get(pk=job.pk).closing_total == Decimal("900.00")


def test_an_archived_job_is_restored_before_its_money_is_edited(make_job, fiona):
    job = make_job(is_archived=True)

    with pytest.raises(DomainError, match="archived"):
        update_money(job=job, actor=fiona, field="closing_total", value="1000")
